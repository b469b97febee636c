# The relay's image: the jar built by the README's build command (README, "Deploy"), run by
# scripts/arc-relay with the JVM options of scripts/jvm-options, on a JRE, as a non-root user.
#   docker build -t registry.example.com/arc-relay:0.1.0 .
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
# The README's build command (tests are CI's: .ci/run runs `mvn -B verify`).
RUN mvn -B -DskipTests package

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --user-group relay
WORKDIR /app
# The layout of a checkout, so the launcher finds the jar, its options and conf/ as it does there.
COPY --from=build /src/target/arc-relay.jar /app/target/arc-relay.jar
COPY scripts/arc-relay scripts/jvm-options /app/scripts/
COPY conf /app/conf
USER 10001:10001
# 8765: WebSockets and HTTP; 5701: Hazelcast membership; 5702: event bus (when clusterPort is 5702,
# as in k8s/relay.json; the default 0 picks a free port); 9090: metrics and health (when
# managementPort is 9090, as in k8s/relay.json and compose.yaml; by default they are on 8765)
EXPOSE 8765 5701 5702 9090
# The heap and direct memory of scripts/jvm-options fit the default memoryBudget (160 MiB) in a
# 1 GiB container (docs/operations.md, "Memory"). To raise them, set JAVA_OPTS (appended after them, so its
# -Xmx and -XX:MaxDirectMemorySize win) together with memoryBudget and the memory limit. JVM
# options go through the launcher, never JAVA_TOOL_OPTIONS or JDK_JAVA_OPTIONS: with those the JVM
# prints a line of its own into the JSON log stream.
# Liveness without extra packages: bash's /dev/tcp (the image's sh is dash, which lacks it).
HEALTHCHECK --interval=10s --timeout=3s CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${ARC_RELAY_PORT:-8765} && printf 'GET /health/live HTTP/1.0\\r\\n\\r\\n' >&3 && head -1 <&3 | grep -q ' 200 '"]
# Exec form, and the launcher execs java: the JVM is PID 1 and gets SIGTERM itself, which starts the
# graceful drain.
ENTRYPOINT ["/app/scripts/arc-relay", "start"]
