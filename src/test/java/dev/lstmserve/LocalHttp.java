package dev.lstmserve;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Requests to a service on 127.0.0.1 (and nowhere else), for tests that run the whole application. */
public final class LocalHttp {

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    private final int port;

    public LocalHttp(int port) {
        this.port = port;
    }

    public int port() {
        return port;
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                BodyHandlers.ofString());
    }

    public HttpResponse<String> post(String path, String json) throws IOException, InterruptedException {
        return post(path, json.getBytes(StandardCharsets.UTF_8));
    }

    public HttpResponse<String> post(String path, byte[] json) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json").POST(BodyPublishers.ofByteArray(json)).build(),
                BodyHandlers.ofString());
    }

    public HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), BodyHandlers.ofString());
    }

    /**
     * Writes {@code request} as it is on a new connection and reads until the server closes it or is silent for 5 s:
     * for requests no HTTP client would send.
     */
    public String raw(byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(5000);
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    response.write(buffer, 0, n);
                }
            } catch (SocketTimeoutException e) {
                // Kept open (keep-alive): what came is the answer.
            }
            return response.toString(StandardCharsets.UTF_8);
        }
    }

    /** {@code GET /actuator/prometheus}, parsed. */
    public Scrape scrape() throws IOException, InterruptedException {
        HttpResponse<String> response = get("/actuator/prometheus");
        if (response.statusCode() != 200) {
            throw new AssertionError("GET /actuator/prometheus answered " + response.statusCode() + ": "
                    + response.body());
        }
        return Scrape.parse(response.body());
    }

    /** The samples of a Prometheus text exposition, by name and labels. */
    public record Scrape(String text, Map<String, Map<Map<String, String>, Double>> samples) {

        private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})? (\\S+)");
        private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

        static Scrape parse(String text) {
            Map<String, Map<Map<String, String>, Double>> samples = new HashMap<>();
            for (String line : text.split("\n")) {
                Matcher sample = SAMPLE.matcher(line);
                if (line.startsWith("#") || !sample.find()) {
                    continue;
                }
                Map<String, String> labels = new TreeMap<>();
                if (sample.group(3) != null) {
                    Matcher label = LABEL.matcher(sample.group(3));
                    while (label.find()) {
                        labels.put(label.group(1), label.group(2));
                    }
                }
                samples.computeIfAbsent(sample.group(1), name -> new HashMap<>())
                        .put(labels, Double.parseDouble(sample.group(4)));
            }
            return new Scrape(text, samples);
        }

        public boolean has(String name) {
            return samples.containsKey(name);
        }

        /**
         * The sum of {@code name}'s samples whose labels include {@code labels} (pairs: name, value), 0 when none.
         */
        public double value(String name, String... labels) {
            Map<String, String> wanted = new HashMap<>();
            for (int i = 0; i < labels.length; i += 2) {
                wanted.put(labels[i], labels[i + 1]);
            }
            return samples.getOrDefault(name, Map.of()).entrySet().stream()
                    .filter(sample -> sample.getKey().entrySet().containsAll(wanted.entrySet()))
                    .mapToDouble(Map.Entry::getValue).sum();
        }

        /** The label sets of {@code name}'s samples. */
        public java.util.Set<Map<String, String>> labels(String name) {
            return samples.getOrDefault(name, Map.of()).keySet();
        }
    }
}
