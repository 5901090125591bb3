# lstm-serve container image.
#
#   ./mvnw package && docker build -t lstm-serve . && docker run -p 127.0.0.1:8080:8080 lstm-serve
#
# The build needs no network: it takes the jar that `./mvnw package` made and a JRE base image.
# BASE_IMAGE must provide java 17+ on PATH with the JDK's default class data archive (lib/server/classes.jsa, as
# Temurin's and Debian's JREs have; the training run below builds on it), curl (for the health check), and
# groupadd/useradd.
ARG BASE_IMAGE=eclipse-temurin:17-jre

# Unpack the jar into Spring Boot's layers (lib/*.jar plus a thin lstm-serve.jar whose manifest lists them), so that
# a code change only replaces the small application layer and the class data archive below.
FROM ${BASE_IMAGE} AS layers
# Lets CI remove this stage's leftovers (a copy of the jar, unpacked), which a new jar makes useless.
LABEL dev.lstmserve.build-stage=layers
WORKDIR /build
COPY target/lstm-serve.jar lstm-serve.jar
RUN java -Djarmode=tools -jar lstm-serve.jar extract --layers --destination extracted

FROM ${BASE_IMAGE}
# A fixed numeric id above the range of distribution users (Ubuntu-based images already have uid 1000).
RUN groupadd --gid 10001 lstm \
 && useradd --uid 10001 --gid lstm --no-create-home --no-log-init --home-dir /app --shell /usr/sbin/nologin lstm
WORKDIR /app
COPY --from=layers /build/extracted/dependencies/ ./
COPY --from=layers /build/extracted/spring-boot-loader/ ./
COPY --from=layers /build/extracted/snapshot-dependencies/ ./
COPY --from=layers /build/extracted/application/ ./
# Class Data Sharing (Spring Boot's "Efficient deployments"): a training run starts the application on the embedded
# model and exits once its context has refreshed (model loaded, parity passed, no port opened); the JVM writes the
# classes it loaded to lstm-serve.jsa, which every start then maps instead of loading them from the jars (start-up
# about a third shorter, ~50 MB less RSS; the archive adds ~50 MB to the image, docs/DOCKER.md). A JVM that cannot
# use the archive starts without it. -Xmx1g: a small fixed heap keeps compressed oops on, as at run time, whatever
# the build host's memory (an archive written without them is unusable by a JVM with them). -Xlog:cds=error: the
# JVM lists every class it leaves out at warning level. The run's Tomcat leaves directories in /tmp: removed.
RUN java --add-modules jdk.incubator.vector -Xmx1g -XX:-UsePerfData \
      -XX:ArchiveClassesAtExit=lstm-serve.jsa -Xlog:cds=error \
      -Dspring.context.exit=onRefresh \
      -jar lstm-serve.jar \
 && rm -rf /tmp/tomcat.* /tmp/tomcat-docbase.*

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
  "-XX:SharedArchiveFile=lstm-serve.jsa", \
  "-XX:MaxRAMPercentage=75", \
  "-XX:+ExitOnOutOfMemoryError", \
  "-jar", "lstm-serve.jar"]
