#!/usr/bin/env bash
# Re-fetch the vendored Swagger UI and ReDoc files from the npm registry (pinned versions).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
scratch="${1:-$(mktemp -d)}"
cd "$scratch"
npm pack swagger-ui-dist@5.17.14 redoc@2.1.5 >/dev/null
mkdir -p s r && tar xzf swagger-ui-dist-5.17.14.tgz -C s && tar xzf redoc-2.1.5.tgz -C r
cp s/package/{swagger-ui-bundle.js,swagger-ui.css,favicon-32x32.png,LICENSE} "$here/swagger-ui/"
cp r/package/bundles/redoc.standalone.js r/package/bundles/redoc.standalone.js.LICENSE.txt r/package/LICENSE "$here/redoc/"
sha256sum ./*.tgz
