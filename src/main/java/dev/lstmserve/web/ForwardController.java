package dev.lstmserve.web;

import java.util.Arrays;
import java.util.List;

import dev.lstmserve.inference.ForwardQuery;
import dev.lstmserve.inference.ForwardResult;
import dev.lstmserve.inference.LstmService;
import dev.lstmserve.inference.PredictResult;
import dev.lstmserve.ops.ComputeLimits;
import dev.lstmserve.ops.RequestShape;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /lstm/forward}: the forward layer's outputs and final states; {@code POST /lstm/predict}: the whole
 * model, as Keras' {@code model.predict}.
 */
@RestController
class ForwardController {

    private final LstmService service;
    private final ComputeLimits limits;

    ForwardController(LstmService service, ComputeLimits limits) {
        this.service = service;
        this.limits = limits;
    }

    @PostMapping(path = "/lstm/forward", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    ForwardResponse forward(@RequestBody ForwardRequest request) {
        ForwardQuery query = new ForwardQuery(request.tokens(), text(request.text()), request.inputs(),
                state(request.initialState()), states(request.initialStates()), request.returnSequences(),
                request.returnState(), request.layer(), null);
        ForwardResult result = limits.compute("/lstm/forward",
                RequestShape.of(request.tokens(), request.text(), request.inputs()), c -> service.forward(query, c));
        ForwardResponse.FloatState state = result.h() == null ? null
                : new ForwardResponse.FloatState(result.h(), result.c());
        List<ForwardResponse.LayerState> states = result.states() == null ? null : result.states().stream()
                .map(s -> new ForwardResponse.LayerState(s.layer(), s.direction(), s.h(), s.c())).toList();
        return new ForwardResponse((Object[]) result.outputs(), state, states, service.model().name());
    }

    @PostMapping(path = "/lstm/predict", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    PredictResponse predict(@RequestBody PredictRequest request) {
        ForwardQuery query = new ForwardQuery(request.tokens(), text(request.text()), request.inputs(),
                state(request.initialState()), states(request.initialStates()), null, null, null, request.topK());
        PredictResult result = limits.compute("/lstm/predict",
                RequestShape.of(request.tokens(), request.text(), request.inputs()), c -> service.predict(query, c));
        return new PredictResponse((Object[]) result.outputs(), result.topK(), service.model().name());
    }

    private static List<String> text(String[] text) {
        return text == null ? null : Arrays.asList(text);
    }

    private static ForwardQuery.StateQuery state(StateBody body) {
        return body == null ? null : new ForwardQuery.StateQuery(body.h(), body.c(), body.layer(), body.direction());
    }

    private static List<ForwardQuery.StateQuery> states(List<StateBody> bodies) {
        return bodies == null ? null : bodies.stream().map(ForwardController::state).toList();
    }
}
