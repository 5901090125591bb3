package dev.lstmserve.parity;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import dev.lstmserve.config.LstmProperties;
import dev.lstmserve.core.LstmKernelCheck;
import dev.lstmserve.inference.LstmInference;
import dev.lstmserve.inference.LstmService;
import dev.lstmserve.model.LstmModel;
import dev.lstmserve.model.ModelLoadException;
import dev.lstmserve.model.ModelLoader;
import dev.lstmserve.model.ParitySample;
import dev.lstmserve.parity.ParityReport.CaseReport;
import dev.lstmserve.parity.ParityReport.TensorCheck;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * The Keras-parity cases of this service: the served model's own samples, the built-in seed example (run on the
 * embedded seed-toy model with the same engine, so the engine is proven even when the served model carries no
 * samples), and for every LSTM engine of the served model (both directions of a Bidirectional layer) its fast kernels
 * against the float64 equations on inputs of its own E and H ({@link LstmKernelCheck}, issue 7). They run once at start-up, where a failure stops the service, again on every {@link #runNow()}
 * ({@code GET /parity}) and on a schedule ({@code lstm.parity.interval}, {@link ParityScheduling}). The latest run is
 * kept ({@link #lastRun()}): health, readiness and the {@code lstm_parity_*} metrics report it, so a probe never waits
 * for the check however many samples a model carries.
 */
@Service
public class ParityService {

    private static final Logger log = LoggerFactory.getLogger(ParityService.class);

    private final List<ParityCase> cases;
    /** Per LSTM engine of the served model, its kernel check: inputs and float64 results made once, here. */
    private final Map<String, LstmKernelCheck> kernelChecks;
    private final String modelName;
    private final double rtol;
    private final double atol;
    private volatile ParityRun lastRun;

    /**
     * @throws ModelLoadException when any case fails: the service must not serve a model it could not verify
     */
    public ParityService(LstmService service, LstmProperties properties) {
        this.rtol = properties.parity().rtol();
        this.atol = properties.parity().atol();
        LstmModel served = service.model();
        List<ParityCase> all = new ArrayList<>();
        if (!served.source().equals("classpath:" + ModelLoader.DEFAULT_MODEL)) {
            LstmInference seed = new LstmInference(ModelLoader.loadDefault());
            seed.model().parity().forEach(sample -> all.add(new ParityCase(sample, seed)));
        }
        for (ParitySample sample : served.parity()) {
            all.add(new ParityCase(sample, service.inference()));
        }
        this.cases = List.copyOf(all);
        this.kernelChecks = new LinkedHashMap<>();
        service.engines().forEach((layer, engine) -> kernelChecks.put(layer, LstmKernelCheck.of(engine)));
        this.modelName = served.name();

        ParityReport report = run("start-up").report();
        if (!report.passed()) {
            throw new ModelLoadException(served.source(), "fails its Keras parity check (rtol " + rtol + ", atol "
                    + atol + "): " + describeFailures(report));
        }
        log.info("Keras parity passed at start-up: {} case(s), rtol {}, atol {}, model '{}' from {}",
                caseCount(), rtol, atol, served.name(), served.source());
        if (served.parity().isEmpty()) {
            log.warn("Model '{}' carries no parity samples: only the built-in seed example checks the engine",
                    served.name());
        }
    }

    /** Runs every case now with the serving engine ({@code GET /parity}). */
    public ParityReport runNow() {
        return run("request").report();
    }

    /** The latest run: of start-up, of the schedule or of {@link #runNow()}. */
    public ParityRun lastRun() {
        return lastRun;
    }

    /** How many cases each run checks. */
    public int caseCount() {
        return cases.size() + kernelChecks.size();
    }

    void runScheduled() {
        run("schedule");
    }

    private ParityRun run(String trigger) {
        long start = System.nanoTime();
        ParityReport report = check();
        ParityRun run = new ParityRun(report, Duration.ofNanos(System.nanoTime() - start), Instant.now(), trigger);
        ParityRun previous = lastRun;
        lastRun = run;
        if (previous != null && previous.passed() && !run.passed()) {
            log.error("Keras parity FAILED ({} run): {}; readiness is DOWN until a run passes", trigger,
                    describeFailures(report));
        } else if (previous != null && !previous.passed() && run.passed()) {
            log.info("Keras parity passes again ({} run); readiness is UP", trigger);
        }
        return run;
    }

    /** One check of every case; package-private so that a test can make a run fail. */
    ParityReport check() {
        List<CaseReport> reports = new ArrayList<>(ParityChecker.check(cases, rtol, atol).cases());
        kernelChecks.forEach((layer, check) -> reports.add(
                ParityChecker.checkKernels(layer, modelName, check, rtol, atol)));
        return new ParityReport(reports.stream().allMatch(CaseReport::passed), rtol, atol, reports);
    }

    static String describeFailures(ParityReport report) {
        return report.cases().stream()
                .filter(c -> !c.passed())
                .map(ParityService::describe)
                .collect(Collectors.joining("; "));
    }

    private static String describe(CaseReport failed) {
        if (failed.error() != null) {
            return "sample '" + failed.name() + "' (model " + failed.model() + "): " + failed.error();
        }
        return "sample '" + failed.name() + "' (model " + failed.model() + "): " + failed.checks().stream()
                .filter(check -> !check.allclose())
                .map(ParityService::describe)
                .collect(Collectors.joining(", "));
    }

    private static String describe(TensorCheck check) {
        return "tensor " + check.tensor()
                + (check.maxAbsError() == null ? "" : " max_abs_error " + check.maxAbsError())
                + (check.detail() == null ? "" : " (" + check.detail() + ")");
    }
}
