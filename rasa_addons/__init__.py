"""Code that runs inside the Rasa server (its own .venv-rasa, Python 3.10), named in
endpoints.yml. Rasa puts the working directory (the repository root) on
sys.path, so these modules are found there; nothing in the product imports them."""
