"""太仓投资热力图 · Taicang Investment Heat Map: the library behind the Streamlit pages."""
