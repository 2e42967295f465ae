# syntax=docker/dockerfile:1
#
# The rust-nn kernel, JupyterLab and the course in one image, with the build
# template warmed at build time: a student's first kernel starts in about a
# second instead of compiling nn-core for ~2 minutes.
#
#   docker build -t nn-kernel .                       # ~15 min on 2 cores
#   docker run --rm -p 8888:8888 nn-kernel            # open the URL it prints
#
# The same image is the singleuser image of deploy/z2jh-values.yaml. The
# install steps are deploy/install-kernel.sh's, which binder/postBuild runs
# too (Binder ignores this file: it uses binder/). docs/deploy.md explains
# the layout below and what has been tested.
#
# Layout (nothing the kernel needs is under /home/jovyan, because Zero to
# JupyterHub mounts each student's volume over it):
#   /opt/nn-kernel        this repository; target/release/nn-kernel is the
#                         kernel, nn-core/ what its cells compile against
#   /opt/venv             Python: JupyterLab, jupyterhub-singleuser, and the
#                         kernelspec (installed with --sys-prefix)
#   /opt/nn-kernel-cache  NN_KERNEL_CACHE: the warmed template, and at run
#                         time one build folder per running kernel
#   /usr/local/cargo      CARGO_HOME (the base image's): the crates the
#                         template was built from; cells' cargo runs offline
#   /usr/local/rustup     the toolchain, with rust-src
FROM rust:1.95-slim-bookworm

ARG NB_USER=jovyan
ARG NB_UID=1000
ARG NB_GID=100

# Python for Jupyter; tini as PID 1, to reap what the kernel starts (rustc,
# the cells' process, the standby kernel). The base image already has gcc
# and libc6-dev, the C linker that Rust (and every cell) links with.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*

# evcxr needs the standard library's sources to infer variables' types; the
# slim image's toolchain has rustup's minimal profile, without them.
RUN rustup component add rust-src

# The user of Jupyter's docker stacks: jovyan, uid 1000, group users (100).
# It owns what the kernel writes at run time (venv, cache, checkout).
RUN useradd --create-home --uid "${NB_UID}" --gid "${NB_GID}" --shell /bin/bash "${NB_USER}" \
 && install -d -o "${NB_USER}" -g "${NB_GID}" /opt/venv /opt/nn-kernel /opt/nn-kernel-cache

ENV HOME=/home/${NB_USER} \
    SHELL=/bin/bash \
    PATH=/opt/venv/bin:${PATH} \
    NN_KERNEL_CACHE=/opt/nn-kernel-cache

USER ${NB_USER}
WORKDIR /opt/nn-kernel

# Python first, so that editing the repository does not reinstall it.
# jupyterhub provides jupyterhub-singleuser for Zero to JupyterHub; keep its
# major version equal to the hub's (z2jh 4.x runs JupyterHub 5).
COPY --chown=${NB_USER}:${NB_GID} binder/requirements.txt /opt/nn-kernel/binder/requirements.txt
RUN /usr/bin/python3 -m venv /opt/venv \
 && /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check \
        -r /opt/nn-kernel/binder/requirements.txt "jupyterhub>=5,<6"

COPY --chown=${NB_USER}:${NB_GID} . /opt/nn-kernel

# Build the kernel, install the kernelspec into /opt/venv and warm the
# template in /opt/nn-kernel-cache, as jovyan (the template is the user's).
# Then drop the build's intermediate files (~700 MB, in this same layer so
# that the image does not keep them): the kernel needs only the nn-kernel
# executable (the kernelspec runs it, evcxr runs it again for the cells),
# nn-core's sources and the template; the docs were copied into the
# kernelspec. Running deploy/install-kernel.sh again in a container would
# rebuild everything.
RUN deploy/install-kernel.sh --python /opt/venv/bin/python \
 && rm -rf target/release/build target/release/deps target/release/incremental \
           target/release/.fingerprint target/release/examples target/doc \
 && mkdir -p "${HOME}/notebooks" \
 && cp notebooks/*.ipynb "${HOME}/notebooks/"

WORKDIR ${HOME}
EXPOSE 8888
ENTRYPOINT ["tini", "-g", "--"]
# Inside a container the server must listen on all of its interfaces: its
# 127.0.0.1 is the container's own loopback, which `docker run -p 8888:8888`
# cannot reach. The token Jupyter prints still guards it. Zero to
# JupyterHub replaces this command with jupyterhub-singleuser.
CMD ["jupyter", "lab", "--ip=0.0.0.0", "--port=8888", "--no-browser"]
