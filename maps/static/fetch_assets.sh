#!/usr/bin/env bash
# Re-fetch the vendored assets from the npm registry (pinned versions, see VERSIONS.md).
# Usage: bash maps/static/fetch_assets.sh [SCRATCH_DIR]; then compare with `git diff --stat maps/static`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
scratch=${1:-$(mktemp -d)}
cd "$scratch"
for p in leaflet@1.9.4 leaflet.markercluster@1.5.3 leaflet.fullscreen@3.0.0 leaflet-minimap@3.6.1 \
         leaflet.vectorgrid@1.3.0 leaflet.sync@0.2.4; do
  npm pack "$p" --silent >/dev/null
done
sha256sum ./*.tgz
for f in ./*.tgz; do d=${f%.tgz}; mkdir -p "$d"; tar xzf "$f" -C "$d"; done
cp leaflet-1.9.4/package/dist/{leaflet.js,leaflet.css} "$here/leaflet/"
cp leaflet-1.9.4/package/dist/images/*.png "$here/leaflet/images/"
cp leaflet.markercluster-1.5.3/package/dist/{leaflet.markercluster.js,MarkerCluster.css,MarkerCluster.Default.css} \
   "$here/leaflet.markercluster/"
cp leaflet.fullscreen-3.0.0/package/{Control.FullScreen.js,Control.FullScreen.css,icon-fullscreen.svg} \
   "$here/leaflet.fullscreen/"
cp leaflet-minimap-3.6.1/package/dist/{Control.MiniMap.min.js,Control.MiniMap.min.css} "$here/leaflet-minimap/"
cp leaflet-minimap-3.6.1/package/dist/images/* "$here/leaflet-minimap/images/"
cp leaflet.vectorgrid-1.3.0/package/dist/Leaflet.VectorGrid.bundled.min.js "$here/leaflet.vectorgrid/"
cp leaflet.sync-0.2.4/package/L.Map.Sync.js "$here/leaflet.sync/"
echo "assets refreshed in $here"
