"""Folium map builders of villagecov."""
