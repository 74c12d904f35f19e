# zslab: the two newcomer commands. The build itself is CMake (CMakeLists.txt).
#   make demo   install what is missing, build (Release), filter a synthetic light-sheet stack and write
#               a three-view preview of the result (build/demo/spots.npy.preview.png)
#   make test   install what is missing, build, run every test
#   make clean  remove the build directory
BUILD ?= build
JOBS ?= 2
MAKEFLAGS += --no-print-directory
ZSLAB := $(BUILD)/zslab
DEMO := $(BUILD)/demo

.PHONY: all deps build demo test clean
all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release
	cmake --build $(BUILD) -j$(JOBS)

demo: build
	@mkdir -p $(DEMO)
	$(ZSLAB) create $(DEMO)/phantom.npy --shape 512x512x128 --dtype uint16 --pattern phantom --seed 1 --force
	$(ZSLAB) info $(DEMO)/phantom.npy
	$(ZSLAB) filter $(DEMO)/phantom.npy $(DEMO)/spots.npy --op white_tophat:size=7 --op dog:sigma1=1:sigma2=3 \
		--dtype float32 --force --preview
	$(ZSLAB) info $(DEMO)/spots.npy

test: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)

clean:
	rm -rf $(BUILD)
