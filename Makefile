# Entry points; each is a thin call into scripts/ (which have --help).
.PHONY: help check lint demo test bench venv node node-stop
help:       ## this list
	@grep -E '^[a-z-]+:.*## ' Makefile | sed 's/:.*## /\t/'
check: lint ## the loop while editing, no node needed: lint, then the unit and doc tests (under 3 min warm)
	cargo test --locked -q -p pycassandra -p pycassandra-derive -p pycassandra-py --lib
	cargo test --locked -q -p pycassandra -p pycassandra-derive --doc
lint:       ## fmt --check, clippy -D warnings, ruff, mypy, stubtest of the native module (scripts/lint)
	scripts/lint
demo:       ## start the node, build and install the wheel, run the PySpark demo
	scripts/demo
test:       ## every test: Rust unit + integration, PySpark, against a real node
	scripts/test
bench:      ## the benchmark, write and read sections: pycassandra vs the Spark Cassandra Connector, the plan's design, the driver
	scripts/bench
venv:       ## the Python environment with the wheel installed
	scripts/venv
node:       ## start the local Cassandra node
	scripts/cassandra start
node-stop:  ## stop it
	scripts/cassandra stop
