# Yearly e-government (CQĐT) assessment of Gia Lai: make report YEAR=2021
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DELETE_ON_ERROR:
.DEFAULT_GOAL := help

YEAR ?= 2021
PY := .venv/bin/python
CQDT := $(PY) -m cqdt
export CQDT_ROOT := $(CURDIR)
# FORMS (make collect) reaches the command as an environment variable, never as command text.
export FORMS
# The kernels' notice about local TCP transport is noise for analysts.
QUIET_KERNEL := 2> >(grep -v --line-buffered 'IPKernelApp' >&2)
SETUP := .venv/.installed
TEST_SETUP := .venv/.test-installed

# YEAR is user input: it is checked by make itself, never by a shell (which would run any `…` or
# $(…) it holds), and only four digits reach any command or path below.
# $(value YEAR) is its text, unexpanded: a command-line YEAR='$(shell …)' is never expanded here.
# Without its digits nothing must remain; with a space after each digit it must make 4 words.
strip_digits = $(subst 0,,$(subst 1,,$(subst 2,,$(subst 3,,$(subst 4,,$(subst 5,,$(subst 6,,$(subst 7,,$(subst 8,,$(subst 9,,$(1)))))))))))
space_digits = $(subst 0,0 ,$(subst 1,1 ,$(subst 2,2 ,$(subst 3,3 ,$(subst 4,4 ,$(subst 5,5 ,$(subst 6,6 ,$(subst 7,7 ,$(subst 8,8 ,$(subst 9,9 ,$(1)))))))))))
ifneq ($(words $(value YEAR)).$(strip $(call strip_digits,$(value YEAR))).$(words $(call space_digits,$(value YEAR))),1..4)
$(error YEAR phải là một năm gồm 4 chữ số, ví dụ YEAR=2021 (nhận được: «$(value YEAR)»))
endif

B := build/$(YEAR)
PARAMS := params/$(YEAR).yaml
# The year's steps come from its catalogue: `cqdt steps` writes the pillars (PILLARS, in catalogue
# order) and the notebook of each (NOTEBOOK_<pillar>: its own narrative, or the generic `pillar`
# notebook) to $(STEPS), which make rebuilds when params, a catalogue or the notebooks change and
# then rereads. Only the build itself (REPORT_BUILD, set by `make report`) needs it.
STEPS := $(B)/steps.mk
ifdef REPORT_BUILD
include $(STEPS)
endif
INPUTS := $(wildcard data/$(YEAR)/*.xlsx)
PILLAR_INPUTS := $(PILLARS:%=$(B)/inputs/%.json)
PILLAR_NOTEBOOKS := $(PILLARS:%=$(B)/notebooks/%.ipynb)
PILLAR_MANIFESTS := $(PILLARS:%=$(B)/pillars/%/manifest.json)
REPORT := report/$(YEAR)/bao-cao-cqdt-$(YEAR).pdf
# report/<year>/ is replaced only by the render step's atomic publish; make tracks a stamp, so that
# an interrupted build never makes make delete a published file.
PUBLISHED := $(B)/.published

# What each step depends on is what it read the last time it ran: every project file its process
# and its notebook kernel opened (params, catalogue, registry, templates, geo data, the previous
# year's workbooks, the package's modules), recorded by the step itself (src/cqdt/dependencies.py)
# into $(DEPS)/<step>.d. A step without that record (first build, or a build from before) runs.
DEPS := $(B)/deps
-include $(wildcard $(DEPS)/*.d)
recorded = --deps $(DEPS)/$(1).d --target $(2)
unrecorded = $(if $(wildcard $(DEPS)/$(1).d),,FORCE)
.PHONY: help setup report data registry validate forms collect test test-fast bench lab clean FORCE
help: ## Liệt kê các lệnh
	@echo "Các lệnh (YEAR mặc định là 2021):"
	@grep -hE '^[a-z-]+:.*## ' $(firstword $(MAKEFILE_LIST)) | sed 's/:.*## /\t/' | sort | awk -F'\t' '{printf "  make %-11s %s\n", $$1, $$2}'

setup: $(SETUP) ## Cài môi trường (gói Debian, Python theo requirements.lock)
$(SETUP): requirements.lock pyproject.toml scripts/setup.sh
	@bash scripts/setup.sh
# The tests' own tools (LibreOffice for the Word draft) on top of the environment.
$(TEST_SETUP): $(SETUP)
	@bash scripts/setup.sh --test

# Independent pillar notebooks run in parallel, one per core.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
# The build owns a warm process from which its notebook steps and their kernels are forked
# (src/cqdt/kernels.py): they start with their libraries imported.
report: $(SETUP) ## Dựng báo cáo HTML và PDF của năm YEAR vào report/YEAR/
	@$(PY) -m cqdt.kernels -- $(MAKE) --no-print-directory -j$(JOBS) REPORT_BUILD=1 $(PUBLISHED)

$(STEPS): $(PARAMS) $(wildcard catalogues/*.yaml) notebooks $(wildcard notebooks/*.py) | $(SETUP)
	@mkdir -p $(@D)
	@$(CQDT) steps --year $(YEAR) > $@.tmp && mv $@.tmp $@

$(PARAMS):
	@echo "Lỗi: chưa có tệp tham số $(PARAMS) cho năm $(YEAR)." >&2; exit 2

# Validating and splitting the inputs; a pillar's file changes only when its own figures do.
$(B)/inputs/.stamp: $(INPUTS) $(PARAMS) $(call unrecorded,ingest) | $(SETUP)
	@mkdir -p $(@D)
	@$(CQDT) ingest --year $(YEAR) $(call recorded,ingest,$@)
	@touch $@
$(PILLAR_INPUTS): $(B)/inputs/.stamp ;

# A pillar's notebook: its own narrative, or the generic one told which pillar it scores.
.SECONDEXPANSION:
$(B)/notebooks/%.ipynb: notebooks/$$(NOTEBOOK_$$*).py $(B)/inputs/%.json $$(call unrecorded,$$*)
	@$(CQDT) notebook --year $(YEAR) --name $(NOTEBOOK_$*) $(if $(filter pillar,$(NOTEBOOK_$*)),--pillar $*) \
		--output $@ $(call recorded,$*,$@) $(QUIET_KERNEL)
# A pillar's outputs are rewritten only when they change: the ranking reruns only then.
$(B)/pillars/%/manifest.json: $(B)/notebooks/%.ipynb ;

# The ranking step: the notebook the year's params name (NOTEBOOK_ranking), generic or narrative.
$(B)/notebooks/ranking.ipynb: notebooks/$(NOTEBOOK_ranking).py $(PILLAR_MANIFESTS) $(call unrecorded,ranking)
	@$(CQDT) notebook --year $(YEAR) --name $(NOTEBOOK_ranking) --output $@ $(call recorded,ranking,$@) \
		$(QUIET_KERNEL)

$(PUBLISHED): $(B)/notebooks/ranking.ipynb $(PILLAR_NOTEBOOKS) $(call unrecorded,render) \
		$(if $(wildcard $(REPORT)),,FORCE)
	@echo "… dựng báo cáo HTML và PDF năm $(YEAR)"
	@$(CQDT) render --year $(YEAR) $(call recorded,render,$@)
	@touch $@
FORCE:

validate: $(SETUP) ## Kiểm tra số liệu đầu vào của năm YEAR
	@$(CQDT) validate --year $(YEAR)

registry: $(SETUP) ## Ghi danh sách đơn vị và bảng kế thừa của năm YEAR từ các gói dữ liệu hành chính
	@$(CQDT) registry --year $(YEAR)

data: $(SETUP) ## Sinh lại số liệu tái dựng của năm YEAR (data/YEAR/; công cụ tools/reconstruct.py)
	@$(PY) -m tools.reconstruct --year $(YEAR)

forms: $(SETUP) ## Tạo phiếu khảo sát Excel cho từng đơn vị (forms/YEAR/)
	@$(CQDT) forms --year $(YEAR)

collect: $(SETUP) ## Kiểm tra, tổng hợp phiếu đã nhận: make collect YEAR=2022 FORMS=<thư mục>
	@test -n "$${FORMS:-}" || { echo "Lỗi: cần chỉ thư mục phiếu, ví dụ make collect YEAR=$(YEAR) FORMS=phieu-da-nhan" >&2; exit 2; }
	@$(CQDT) collect --year $(YEAR) --forms "$$FORMS"

test: $(TEST_SETUP) ## Chạy toàn bộ kiểm thử (in thời gian chạy)
	@start=$$(date +%s); status=0; $(PY) -m pytest -q -n 2 --dist loadscope --no-loadscope-reorder --durations=15 || status=$$?; \
	echo "Thời gian kiểm thử: $$(( $$(date +%s) - start )) giây"; exit $$status

test-fast: $(SETUP) ## Chạy nhanh các kiểm thử đơn vị (không dựng báo cáo, không kernel, không Chromium)
	@$(PY) -m pytest -q -m "not slow" -n 2

bench: $(SETUP) ## Đo thời gian dựng so với mức sàn của sổ tay (in bảng kết quả)
	@$(PY) bench/bench.py

lab: $(SETUP) ## Mở JupyterLab trên thư mục dự án
	@$(PY) -c "import jupyterlab" 2>/dev/null || .venv/bin/pip install -q -r requirements-lab.lock
	@.venv/bin/jupyter lab --notebook-dir=. --ServerApp.open_browser=False $(if $(filter 0,$(shell id -u)),--allow-root)

clean: ## Xóa thư mục dựng build/ (không đụng tới report/)
	rm -rf build
