-- wrk script: the seed example as one POST /lstm/forward (3 windows of 4 tokens, the seed's initial state).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[{"tokens": [[7, 8, 0, 5], [6, 1, 3, 8], [2, 4, 5, 1]],
 "initial_state": {"h": [[-0.7565803, -0.06854702]], "c": [[0.9029392, -0.12441138]]}}]==]
