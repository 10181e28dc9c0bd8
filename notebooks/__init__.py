"""The kit's notebooks, shipped as package data (``importlib.resources.files("reflect.notebooks")``)."""
