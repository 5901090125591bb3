package dev.lstmserve.web;

import java.util.Arrays;

import dev.lstmserve.inference.ForwardQuery;
import dev.lstmserve.inference.ForwardResult;
import dev.lstmserve.inference.LstmService;
import dev.lstmserve.ops.ComputeLimits;
import dev.lstmserve.ops.RequestShape;

import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /lstm/forward}: the served LSTM layer's outputs and final state. */
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
        StateBody state = request.initialState();
        ForwardQuery query = new ForwardQuery(request.tokens(),
                request.text() == null ? null : Arrays.asList(request.text()), request.inputs(),
                state == null ? null : state.h(), state == null ? null : state.c(), state != null,
                request.returnSequences(), request.returnState());
        ForwardResult result = limits.compute("/lstm/forward",
                RequestShape.of(request.tokens(), request.text(), request.inputs()), () -> service.forward(query));
        ForwardResponse.FloatState finalState = result.h() == null ? null
                : new ForwardResponse.FloatState(result.h(), result.c());
        return new ForwardResponse((Object[]) result.outputs(), finalState, service.model().name());
    }
}
