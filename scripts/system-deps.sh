#!/usr/bin/env bash
# Installs (with apt, only what is missing) the Debian packages the test suite compares against:
# numpy/scipy (argsort tie order, betainc), astropy (FITS interop), h5py (HDF5 interop), netCDF4 (GOES XRS files), fpack/funpack,
# Jupyter's nbconvert/nbclient (the notebooks must also run under the standard Jupyter client), and for the
# JupyterLab end-to-end test: chromium plus Debian's jupyter_server 1.23 and jupyterlab_server 2.16.
# fonts-dejavu-core: the font resvg draws plot labels with in the PNG twins (display/vega.ts).
# Benchmarks additionally use scikit-image and scikit-learn (bench/README.md).
# redis-server: the BullMQ executor's tests and benchmark start their own ephemeral Redis (docs/scale-out.md).
set -euo pipefail
PACKAGES=(python3-numpy python3-scipy python3-astropy python3-h5py python3-netcdf4 libcfitsio-bin jupyter-nbconvert python3-nbclient python3-jupyter-client
  chromium python3-jupyter-server python3-jupyterlab-server fonts-dejavu-core redis-server)
# scikit-image: the ALEXIS registration test compares warpAffine with skimage.transform.warp; scikit-learn
# and cvxopt (the bounded-LASSO reference QP): benchmarks only.
PACKAGES+=(python3-skimage)
if [ "${1:-}" = "--bench" ]; then PACKAGES+=(python3-sklearn python3-cvxopt); fi
missing=()
for p in "${PACKAGES[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
[ "${#missing[@]}" -eq 0 ] && exit 0
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
$SUDO apt-get update -q -o DPkg::Lock::Timeout=600
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}"
