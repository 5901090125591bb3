/**
 * Running the service safely: request limits and the bound on concurrent computation ({@link
 * dev.lstmserve.ops.ComputeLimits}), the {@code lstm_*} metrics ({@link dev.lstmserve.ops.LstmMetrics}), what
 * {@code /actuator/info} says about the served model, and how the process ends on SIGTERM. Knows no HTTP: the web
 * layer turns its exceptions into problem+json.
 */
package dev.lstmserve.ops;
