# linli: `make run` to try it, `make test` to test everything.
# Both install what is missing first (scripts/deps.sh: apt-get and npm ci).

BUILD   := build
SAN     := build-san
DB      := var/linli.db
LISTEN  := 127.0.0.1:8080
WEB_SRC := $(shell find web -path web/dist -prune -o -type f -print 2>/dev/null) package-lock.json

.PHONY: all build run test deps web clean bench

all: build

deps:
	@scripts/deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=release -Db_ndebug=false

build: deps $(BUILD)/build.ninja web
	ninja -C $(BUILD)

web: deps web/dist/.built

web/dist/.built: $(WEB_SRC)
	npm run build
	touch $@

run: build
	@mkdir -p var
	@if [ ! -f $(DB) ]; then \
	    $(BUILD)/linli migrate --db $(DB) && \
	    $(BUILD)/linli demo --db $(DB); \
	else $(BUILD)/linli migrate --db $(DB); fi
	@echo
	@echo "linli: http://$(LISTEN)/  (staff console)   http://$(LISTEN)/h5/  (resident H5)"
	@echo "demo logins, password linli2026: admin, street, secretary, staff, grid, property, resident, volunteer, elder"
	@echo "手机号注册: no SMS gateway here, the codes are logged below (sms_dev_log)"
	@echo
	@printf '# make run: no SMS gateway; registration codes go to the log\nsms_dev_log = true\n' > var/dev.conf
	$(BUILD)/linli serve --db $(DB) --listen $(LISTEN) --web web/dist --config var/dev.conf

$(SAN)/build.ninja:
	meson setup $(SAN) --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false

# the release build too: -O3 finds warnings (-Werror) that -O0 does not
test: build $(SAN)/build.ninja
	ninja -C $(SAN)
	scripts/run-tests.sh $(SAN)

bench: build
	@echo "see bench/README.md"

clean:
	rm -rf $(BUILD) $(SAN) web/dist
