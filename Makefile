# The front door of the workbench. See README.md.
#   make run    set up, build, boot the mock guest and show PASID attach
#   make test   everything CI runs; ends with "N passed, N failed"
# The scripts run in a clean environment (scripts/lib.sh): variables from
# your environment or this command line reach them only where a target
# below passes them on (ARCHS, GUESTS, KSRC).
SHELL := /bin/bash
S := scripts
# Selectors count only when given on the command line, never from the
# environment (an exported ARCH must not change what is built).
cmdline = $(if $(filter command line,$(origin $(1))),$($(1)),$(2))
# Run a command that reads or writes build/ without a script of ours (they
# lock build/ themselves, scripts/lib.sh) under build/lock, or refuse.
locked = mkdir -p build && { flock -n -E 75 build/lock $(1); rc=$$?; [ $$rc -ne 75 ] || \
	echo "error: a workbench command is using build/ (build/lock)" >&2; [ $$rc -eq 0 ]; }

.PHONY: help run test test-long check bench selftest deps tree export apply debian-patches abi-changes build boot clean
help:
	@sed -n 's/^#   /  /p' Makefile; sed -n 's/^## //p' Makefile

## make run              set up, build x86_64, boot the mock guest: the demo
run:
	@$(S)/run.sh

## make test             self-test, static checks, both kernels, all guests (CI)
test:
	@$(S)/test.sh

## make test-long        make test, coccicheck, and what does not fit CI (guests/long/, ...)
test-long:
	@$(S)/test.sh long

## make check            set-up and all static checks (make test leaves out coccicheck)
check:
	@$(S)/test.sh static

## make bench             the PASID lookup benchmark: build/bench/table.txt, lookup.png
bench:
	@$(S)/bench.sh

## make selftest         the workbench's self-test: planted failures, lint
selftest: deps
	@python3 $(S)/selftest.py

## make deps             install the Debian packages the workbench needs
deps:
	@$(S)/deps.sh

## make tree             build/linux: the base (tag "base") plus one commit per patch
tree:
	@$(S)/tree.sh

## make export           regenerate patches/ from the commits in build/linux
export:
	@$(S)/export.sh

## make apply KSRC=d     apply the series to your own kernel tree, zero fuzz
apply:
	@$(S)/apply.sh "$(call cmdline,KSRC,)"

## make debian-patches the series as a Debian debian/patches/ (DEP-3), in build/debian-patches
debian-patches:
	@$(call locked,python3 $(S)/debian_patches.py patches build/debian-patches)

## make abi-changes    patches/abi-changes.txt from the Debian builds of make test-long (an arch not built keeps its block if of the same source)
abi-changes:
	@$(call locked,python3 $(S)/abi_changes.py build/linux build/config-builds --keep patches/abi-changes.txt > patches/abi-changes.txt.new) && \
		mv patches/abi-changes.txt.new patches/abi-changes.txt || { rm -f patches/abi-changes.txt.new; exit 1; }

## make build            build both debug kernels (ARCHS=x86_64 for one)
build: tree
	@for a in $(call cmdline,ARCHS,x86_64 arm64); do $(S)/build.sh $$a || exit 1; done

## make boot             boot mock, vtd and smmuv3 and judge their logs (GUESTS=failnth for another)
boot:
	@$(S)/guests.sh $(call cmdline,GUESTS,mock vtd smmuv3)

## make clean            remove build/ (the ccache stays)
clean:
	@if [ -d build ]; then flock -n build/lock rm -rf build || \
		{ echo "error: a workbench command is using build/" >&2; exit 1; }; fi
