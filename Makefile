# Entry points; each is a thin call into scripts/ (which have --help).
.PHONY: demo test bench venv node node-stop wheel
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
node-stop:
	scripts/cassandra stop
