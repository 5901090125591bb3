# lstm-serve container image.
#
#   ./mvnw package && docker build -t lstm-serve . && docker run -p 127.0.0.1:8080:8080 lstm-serve
#
# The build needs no network: it takes the jar that `./mvnw package` made and a JRE base image.
# BASE_IMAGE must provide java 17+ on PATH, curl (for the health check), and groupadd/useradd.
ARG BASE_IMAGE=eclipse-temurin:17-jre

# Unpack the jar into Spring Boot's layers, so that a code change only replaces the small application layer.
FROM ${BASE_IMAGE} AS layers
# Lets CI remove this stage's leftovers (a copy of the jar, unpacked), which a new jar makes useless.
LABEL dev.lstmserve.build-stage=layers
WORKDIR /build
COPY target/lstm-serve.jar lstm-serve.jar
RUN java -Djarmode=tools -jar lstm-serve.jar extract --layers --launcher --destination extracted

FROM ${BASE_IMAGE}
# A fixed numeric id above the range of distribution users (Ubuntu-based images already have uid 1000).
RUN groupadd --gid 10001 lstm \
 && useradd --uid 10001 --gid lstm --no-create-home --no-log-init --home-dir /app --shell /usr/sbin/nologin lstm
WORKDIR /app
COPY --from=layers /build/extracted/dependencies/ ./
COPY --from=layers /build/extracted/spring-boot-loader/ ./
COPY --from=layers /build/extracted/snapshot-dependencies/ ./
COPY --from=layers /build/extracted/application/ ./

# Empty means the embedded default model. Mount models read-only, e.g. -v "$PWD/models:/models:ro",
# and choose one with -e LSTM_MODEL_PATH=/models/my_model.json.
ENV LSTM_MODEL_PATH=""
USER 10001:10001
EXPOSE 8080
# /parity answers 503 when the served engine no longer matches the Keras references, so it is the health check.
HEALTHCHECK --interval=5s --timeout=5s --start-period=60s --retries=3 \
  CMD curl -fsS -o /dev/null http://127.0.0.1:8080/parity || exit 1
# Exec form: java is PID 1 and receives SIGTERM, which starts Spring Boot's graceful shutdown.
# Heap and other JVM options can be added with JAVA_TOOL_OPTIONS (e.g. -Xmx2g).
# --add-modules jdk.incubator.vector: the LSTM engine's kernels use the Vector API (an incubator module on Java 17;
# the JVM prints one warning line about it). Without it the engine runs its scalar fallback, several times slower.
ENTRYPOINT ["java", \
  "--add-modules", "jdk.incubator.vector", \
  "-XX:MaxRAMPercentage=75", \
  "-XX:+ExitOnOutOfMemoryError", \
  "org.springframework.boot.loader.launch.JarLauncher"]
