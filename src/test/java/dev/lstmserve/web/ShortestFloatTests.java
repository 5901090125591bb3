package dev.lstmserve.web;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The application's JSON writer prints float32 outputs as the shortest decimal that reads back to the same float32
 * (README, "Decisions": Jackson's Schubfach writer), in the notation of {@code Float.toString} ({@code 0.0045683086},
 * {@code 4.905732E-4}, {@code 1.0E7}), for random bit patterns over the whole float32 range and for the values an LSTM
 * outputs (within ±1). Java 17's own {@code Float.toString} is not always shortest; those values are counted.
 */
@ServingWebMvcTest
class ShortestFloatTests {

    @Autowired
    private JsonMapper json;

    @Test
    void everyFloatIsWrittenAsTheShortestDecimalThatReadsBackToIt() {
        Random random = new Random(17);
        float[] values = new float[100_000];
        for (int i = 0; i < values.length; i++) {
            float value;
            do {
                value = i % 2 == 0 ? Float.intBitsToFloat(random.nextInt()) : random.nextFloat() * 2 - 1;
            } while (!Float.isFinite(value));
            values[i] = value;
        }
        values[0] = 0.0f;
        values[1] = -0.0f;
        values[2] = Float.MIN_VALUE;
        values[3] = Float.MAX_VALUE;
        values[4] = 1.0E7f;
        values[5] = 0.001f;
        values[6] = 9.999999E-4f;

        List<String> written = numbers(json.writeValueAsString(values));

        assertThat(written).hasSize(values.length);
        int java17Longer = 0;
        for (int i = 0; i < values.length; i++) {
            String number = written.get(i);
            float value = values[i];
            assertThat(Float.floatToIntBits(Float.parseFloat(number))).as("%s reads back", number)
                    .isEqualTo(Float.floatToIntBits(value));
            int shortest = shortestDigits(value);
            if (shortest == 1) {
                // Float.toString's rule (Java 19+, and Schubfach's): the notation shows at least two digits, so of
                // the decimals of length 2 it takes the closest: 1.4E-45 for Float.MIN_VALUE, which 1E-45 also reads
                // back as.
                assertThat(significantDigits(number)).as("digits of %s", number).isLessThanOrEqualTo(2);
            } else {
                assertThat(significantDigits(number)).as("digits of %s", number).isEqualTo(shortest);
            }
            String java = Float.toString(value);
            if (significantDigits(java) == shortest) {
                // Of two shortest decimals, Schubfach takes the closer one, Java 17 not always: same notation, digits
                // may differ in the last place.
                assertThat(number.replaceAll("\\d", "d")).as("notation of %s, Java: %s", number, java)
                        .isEqualTo(java.replaceAll("\\d", "d"));
            } else {
                java17Longer++;
            }
        }
        System.out.println("ShortestFloatTests: Float.toString of " + System.getProperty("java.version")
                + " was longer than the shortest for " + java17Longer + " of " + values.length + " floats");
    }

    private static List<String> numbers(String array) {
        List<String> numbers = new ArrayList<>();
        try (JsonParser parser = new JsonMapper().createParser(array)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token.isNumeric()) {
                    numbers.add(parser.getString());
                }
            }
        }
        return numbers;
    }

    /** Significant digits of a decimal: {@code -4.905732E-4} has 7, {@code 0.0045683086} 8, {@code 0.0} 1. */
    private static int significantDigits(String number) {
        String mantissa = number.toLowerCase(Locale.ROOT).split("e")[0].replace("-", "").replace(".", "");
        String digits = mantissa.replaceFirst("^0+", "").replaceFirst("0+$", "");
        return Math.max(1, digits.length());
    }

    /** The fewest significant digits of a decimal that reads back as {@code value} (float32 needs at most 9). */
    private static int shortestDigits(float value) {
        if (value == 0) {
            return 1;
        }
        for (int digits = 1; digits < 9; digits++) {
            if (new BigDecimal(value).round(new MathContext(digits, RoundingMode.HALF_EVEN)).floatValue() == value) {
                return digits;
            }
        }
        return 9;
    }
}
