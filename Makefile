# The front door of the workbench. See README.md.
#   make run    set up, build, boot the mock guest and show PASID attach
#   make test   everything CI runs; ends with "N passed, N failed"
SHELL := /bin/bash
S := scripts

.PHONY: help run test check deps tree export apply build boot clean
help:
	@sed -n 's/^#   /  /p' Makefile; sed -n 's/^## //p' Makefile

## make run           set up, build x86_64, boot the mock guest: the demo
run:
	@$(S)/run.sh

## make test          static checks, both kernels, all guests (what CI runs)
test:
	@$(S)/test.sh

## make check         static checks only (checkpatch, kernel-doc, sparse, W=1, coccicheck, bisect)
check: deps tree
	@set -e; for c in checkpatch kernel-doc sparse-x86_64 sparse-arm64 coccicheck bisect-x86_64 bisect-arm64; do \
		echo "== $$c"; $(S)/check.sh $$c 2>/dev/null; done

## make deps          install the Debian packages the workbench needs
deps:
	@$(S)/deps.sh

## make tree          build/linux: the base (tag "base") plus one commit per patch
tree:
	@$(S)/tree.sh

## make export        regenerate patches/ from the commits in build/linux
export:
	@$(S)/export.sh

## make apply KSRC=d  apply the series to your own kernel tree, zero fuzz
apply:
	@$(S)/apply.sh "$(KSRC)"

## make build         build both debug kernels (ARCH=x86_64 or arm64 for one)
build: tree
	@for a in $(or $(ARCH),x86_64 arm64); do $(S)/build.sh $$a || exit 1; done

## make boot GUEST=g  boot one guest (mock, vtd, smmuv3) and judge its log
boot:
	@$(S)/guests.sh $(or $(GUEST),mock vtd smmuv3)

## make clean         remove build/ (the ccache stays)
clean:
	rm -rf build
