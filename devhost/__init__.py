"""A small stand-in for `func start`: serves function_app.py's functions. Never deployed."""
