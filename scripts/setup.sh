# Sourced by run.sh and test.sh: installs whatever is missing, safe to run again.
# Steps print what they do; each is skipped when its result is already there and current.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
step() { printf '\033[1m==> %s\033[0m\n' "$*"; }

find_uv() {
  if command -v uv >/dev/null 2>&1; then UV=$(command -v uv); return; fi
  if [ ! -x .venv-tools/bin/uv ]; then
    step "Installing uv (fast Python installer) into .venv-tools"
    python3 -m venv .venv-tools
    .venv-tools/bin/pip install -q uv==0.13.9
  fi
  UV="$ROOT/.venv-tools/bin/uv"
}

find_python310() {
  local c
  for c in python3.10 "$(command -v pyenv >/dev/null 2>&1 && pyenv root)"/versions/3.10*/bin/python3.10 \
           /usr/bin/python3.10 /usr/local/bin/python3.10; do
    if [ -n "$c" ] && "$c" -c 'import sys; assert sys.version_info[:2] == (3, 10)' >/dev/null 2>&1; then
      PY310=$(command -v "$c" || echo "$c"); return; fi
  done
  PY310=$("$UV" python find 3.10 2>/dev/null || true)
  if [ -z "$PY310" ]; then
    echo "Rasa 3.6 needs Python 3.10, and none was found (PATH, pyenv, /usr/bin)." >&2
    echo "Install it, e.g. 'pyenv install 3.10.13' or 'uv python install 3.10', then run this again." >&2
    exit 1
  fi
}

app_venv() {
  step "App virtualenv .venv (Python 3.11, from uv.lock)"
  "$UV" sync --locked --python 3.11 --quiet
}

rasa_venv() {
  local want have
  want=$(sha256sum requirements-rasa.txt | cut -c1-16)
  have=$(cat .venv-rasa/.requirements-hash 2>/dev/null || true)
  if [ "$want" = "$have" ] && [ -x .venv-rasa/bin/rasa ]; then
    step "Rasa virtualenv .venv-rasa is up to date"; return; fi
  find_python310
  step "Installing Rasa 3.6 into .venv-rasa (Python 3.10, about 2.5 GB, 1–2 minutes)"
  rm -rf .venv-rasa
  "$UV" venv --quiet --python "$PY310" .venv-rasa
  VIRTUAL_ENV="$ROOT/.venv-rasa" "$UV" pip install --quiet -r requirements-rasa.txt
  echo "$want" > .venv-rasa/.requirements-hash
}

ocr_packages() {
  # Tesseract OCR with the German and English models reads photos of a problem; DejaVu draws
  # the error screens the tests and `friends bench ocr` read.
  if command -v tesseract >/dev/null 2>&1 && [ -f /usr/share/tesseract-ocr/5/tessdata/deu.traineddata ] \
     && [ -f /usr/share/tesseract-ocr/5/tessdata/eng.traineddata ] && [ -d /usr/share/fonts/truetype/dejavu ]; then
    step "Tesseract OCR (German, English) is installed"; return; fi
  step "Installing Tesseract OCR with German and English (Debian packages) and the DejaVu fonts"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
    tesseract-ocr tesseract-ocr-deu tesseract-ocr-eng fonts-dejavu-core >/dev/null
}

rasa_model() {
  step "Rasa model (trained only when nlu/, domain.yml or config.yml changed)"
  .venv/bin/friends train
}

find_uv
ocr_packages
app_venv
rasa_venv
rasa_model
