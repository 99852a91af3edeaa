"""The App Home: the presenter (screens.py) and its listeners."""
