# Build with the same command CI runs, then run on a JRE as a non-root user.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY src src
RUN mvn -B -q package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 relay
WORKDIR /app
COPY --from=build /src/target/arc-relay.jar /app/arc-relay.jar
COPY conf /app/conf
USER relay
# 8765: WebSockets and HTTP; 5701: Hazelcast membership; 5702: event bus (when clusterPort is 5702,
# as in k8s/configmap.yaml; the default 0 picks a free port); 9090: metrics and health (when
# managementPort is 9090, as in k8s/configmap.yaml and compose.yaml; by default they are on 8765)
EXPOSE 8765 5701 5702 9090
# The options of scripts/jvm-options: heap and direct memory sized for the default memoryBudget
# (160 MiB) and ~16,000 connections, so a 1 GiB container limit holds (README, "Memory"). Raise
# memoryBudget, -Xmx, MaxDirectMemorySize and the limit together.
# They sit in the entrypoint: a JAVA_TOOL_OPTIONS or JDK_JAVA_OPTIONS variable would make the JVM
# print a line of its own into the JSON log stream.
ENV MALLOC_ARENA_MAX=2
# Liveness without extra packages: bash's /dev/tcp (the image's sh is dash, which lacks it).
HEALTHCHECK --interval=10s --timeout=3s CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${ARC_RELAY_PORT:-8765} && printf 'GET /health/live HTTP/1.0\\r\\n\\r\\n' >&3 && head -1 <&3 | grep -q ' 200 '"]
# Exec form: the JVM is PID 1 and gets SIGTERM itself, which starts the graceful drain.
ENTRYPOINT ["java", "-XX:+UseSerialGC", "-Xms48m", "-Xmx512m", "-XX:MaxDirectMemorySize=256m", "-Xmn32m", \
    "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=20", "-Xss512k", "-XX:ReservedCodeCacheSize=48m", \
    "-XX:+ExitOnOutOfMemoryError", "-XX:TrimNativeHeapInterval=10000", \
    "-Dio.netty.tryReflectionSetAccessible=true", "--add-opens=java.base/java.nio=ALL-UNNAMED", \
    "--add-opens=java.base/jdk.internal.misc=ALL-UNNAMED", "-jar", "/app/arc-relay.jar", "start"]
