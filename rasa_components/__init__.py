"""Components loaded by the Rasa process only (config.yml names them; .venv-rasa runs them)."""
