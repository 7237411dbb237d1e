# The two commands of the README, and the smaller steps they are made of.
#   make demo   the local lab (podman containers with systemd) and the main job on it
#   make test   every check: lint, sanity, units, build, release-check, docs, then the integration
#               targets and molecule scenarios in one pool (make labs)
# Both install what they need first (tools/bootstrap.sh: apt, podman, .venv, images).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv/bin
export PATH := $(CURDIR)/$(VENV):$(PATH)
export ANSIBLE_CONFIG := $(CURDIR)/ansible.cfg
export ANSIBLE_FORCE_COLOR ?= 1
export PIP_DISABLE_PIP_VERSION_CHECK := 1
COLLECTION_LINK := .build/collections/ansible_collections/stackops/openstack

.PHONY: help demo test bootstrap link lint sanity units integration molecule labs build release-check docs benchmark lab-down clean

help:
	@echo "make demo         bring up the local lab and run the main job on it"
	@echo "make test         run every check (lint sanity units build release-check docs labs)"
	@echo "make labs         the integration targets and molecule scenarios together, 2 at a time"
	@echo "make lint|sanity|units|integration|molecule|build   one layer"
	@echo "make release-check  galaxy-importer with Automation Hub's settings on the tarball, release notes complete"
	@echo "make docs         build the HTML docs site offline into .build/docs/html"
	@echo "make benchmark    print the benchmarks (galera_cluster_status; compute_host_drain concurrency)"
	@echo "make lab-down     remove every lab container, namespace and network"

bootstrap:
	@tools/bootstrap.sh

# also the lab's ssh key (tests/lab/podman_sshd_proxy: how scenarios reach their containers)
link:
	@mkdir -p $(dir $(COLLECTION_LINK)) && [ -L $(COLLECTION_LINK) ] || ln -sfn ../../../.. $(COLLECTION_LINK)
	@[ -f .build/lab_ssh/id_ed25519 ] || { mkdir -p .build/lab_ssh && ssh-keygen -q -t ed25519 -N '' -C stackops-lab -f .build/lab_ssh/id_ed25519; }

demo: bootstrap link
	@tools/demo.sh

# Each layer's time is printed at the end, also when a layer fails. TEST_LAYERS in order; layers
# joined by + run at the same time. labs is the integration targets and the molecule scenarios
# in one pool of 2 lanes (tools/lab_pool.sh): the OpenStack lab serialises its users, and run
# layer by layer the other lane idled while they ran. (integration+molecule side by side on 2
# cores ran 4 heavy jobs at once and stretched every one: lbaas_pool 632 -> 1914 s.)
# The static layers other than units (pytest -n 2) run side by side: in a fresh-clone run
# lint+sanity took 171 s and build+docs+release-check 169 s, the CPU busy throughout.
TEST_LAYERS ?= lint+sanity units build+docs+release-check labs
# A failed lab job's first error is repeated last (tools/lab_pool.sh writes it), for a CI page
# that shows only the end of the output.
test: bootstrap link
	@start=$$(date +%s); times=(); status=0; marks=$$(mktemp -d); trap 'rm -rf "$$marks"' EXIT; \
	rm -f .build/lab_pool_failures.txt; \
	run_layer() { local layer_start result=passed; layer_start=$$(date +%s); \
	  $(MAKE) --no-print-directory $$1 || result=FAILED; \
	  printf '%-12s %-7s %5d s' $$1 $$result $$(( $$(date +%s) - layer_start )) >"$$marks/$$1"; \
	  [ $$result = passed ]; }; \
	for group in $(TEST_LAYERS); do \
	  layers=($${group//+/ }); echo "=== make $${layers[*]}"; pids=(); \
	  if [ $${#layers[@]} -eq 1 ]; then run_layer $$group || status=1; \
	  else for layer in "$${layers[@]}"; do run_layer $$layer & pids+=($$!); done; \
	    for pid in "$${pids[@]}"; do wait $$pid || status=1; done; fi; \
	  for layer in "$${layers[@]}"; do times+=("$$(cat "$$marks/$$layer")"); done; \
	  [ $$status -eq 0 ] || break; \
	done; \
	echo "=== layer times"; printf '    %s\n' "$${times[@]}"; \
	if [ $$status -eq 0 ]; then echo "=== make test passed in $$(( $$(date +%s) - start )) s"; \
	else [ ! -s .build/lab_pool_failures.txt ] || { echo "=== why the failed lab jobs failed"; cat .build/lab_pool_failures.txt; }; \
	  echo "=== make test FAILED after $$(( $$(date +%s) - start )) s"; exit 1; fi

lint: link
	@if [ -d "$$HOME/.ansible/collections/ansible_collections/stackops/openstack" ]; then \
	  echo "WARNING: an installed copy in ~/.ansible/collections shadows this checkout for ansible-lint;" \
	       "remove it if lint reports unknown modules or roles"; fi
	ansible-lint --offline

sanity:
	tools/ansible_test.sh sanity --python 3.11 --venv --color

units: link
	python -m pytest -q -n 2 tests/unit

integration: link
	tests/integration/run.sh

molecule: link
	tools/molecule.sh

# LAB_JOBS="integration/<target> molecule/<scenario> ..." runs only those
labs: link
	tools/lab_pool.sh $(LAB_JOBS)

# the tarball as a user installs it, then what ansible-builder reads from it (tools/ee.sh)
build:
	tools/build_smoke.sh
	tools/ee.sh check

# galaxy-importer (its own venv .build/venvs/galaxy-importer) with Automation Hub's settings on
# the built tarball, and the release notes listing everything (tools/release_check.sh;
# tools/release_check.sh --publish also refuses what Galaxy would refuse, e.g. no repository)
release-check:
	tools/release_check.sh

# antsibull-docs + Sphinx in their own venv (.build/venvs/docs); any warning fails it
docs:
	tools/build_docs.sh

benchmark: link
	python3 tests/benchmarks/galera_status_vs_mysql_info.py
	tests/integration/with_openstack_lab.sh keystone,glance,neutron,nova --computes 3 -- \
	  python3 tests/benchmarks/compute_drain_concurrency.py

lab-down:
	-python3 tests/lab/podman_lab.py down
	-python3 tests/lab/galera_netns.py down
	-python3 tests/lab/openstack_lab.py down

clean: lab-down
	rm -rf .build tests/output
