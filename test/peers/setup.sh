#!/usr/bin/env bash
# Resolves the test peers (run by .ci/run; safe to re-run, and quick when everything is cached):
#   - real Apache Kafka's jars (test/peers/kafka/pom.xml → test/peers/kafka/target/classpath.txt);
#   - the Java client scenarios (test/peers/java, built with Maven);
#   - franz-go's module from the Go module proxy (test/peers/franz-go);
#   - a Python venv with current clients from PyPI (test/peers/python/requirements.txt → .venv), confluent-kafka with its Schema Registry serializers included.
# Needs java (17+), mvn, go and python3 on PATH.
set -euo pipefail
cd "$(dirname "$0")"
peers=$(pwd)

say() { printf '\n==> %s\n' "$*"; }

# A JDK, not only a JRE: the Kafka tool runner (kafka/ToolRunner.java) is run from source.
command -v javac >/dev/null || { echo "test peers: javac not found: install a JDK 17+ (openjdk-17-jdk-headless)" >&2; exit 1; }

say "Kafka's jars (Maven Central)"
mvn -q -B -f kafka/pom.xml dependency:build-classpath
echo "kafka classpath: $(tr ':' '\n' < kafka/target/classpath.txt | wc -l) jars"

if [ -f java/pom.xml ]; then
  say "Java client scenarios (mvn package)"
  mvn -q -B -f java/pom.xml -DskipTests package dependency:build-classpath
  echo "java scenarios: target/classes and $(tr ':' '\n' < java/target/classpath.txt | wc -l) jars (java/target/classpath.txt)"
fi

if [ -f franz-go/setup.sh ]; then
  say "franz-go (Go module proxy)"
  bash franz-go/setup.sh
fi

if [ -f python/requirements.txt ]; then
  say "Python clients (PyPI venv)"
  [ -x python/.venv/bin/python ] || python3 -m venv python/.venv
  python/.venv/bin/pip install -q --disable-pip-version-check -r python/requirements.txt
  python/.venv/bin/python -c 'import sys; print("venv python", sys.version.split()[0])'
fi
