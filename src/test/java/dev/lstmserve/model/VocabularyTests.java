package dev.lstmserve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.junit.jupiter.api.Test;

/** The seed's tokenisation: lower-case, split on white space, a word outside the vocabulary becomes {@code <_unk>}. */
class VocabularyTests {

    private static final Vocabulary SEED = (Vocabulary) ModelLoader.loadDefault().vocabulary();

    @Test
    void theSeedWindowsBecomeTheSeedTokens() {
        assertThat(SEED.tokenize("text[0]", "the word <_unk> is")).containsExactly(7, 8, 0, 5);
        assertThat(SEED.tokenize("text[1]", "not a common word")).containsExactly(6, 1, 3, 8);
        assertThat(SEED.tokenize("text[2]", "but flower is a")).containsExactly(2, 4, 5, 1);
    }

    @Test
    void wordsAreLowerCasedAndSplitOnAnyWhiteSpace() {
        assertThat(SEED.tokenize("text[0]", "  The\tWORD\n\n<_UNK>   Is \r\n")).containsExactly(7, 8, 0, 5);
    }

    @Test
    void unknownWordsBecomeTheUnknownToken() {
        assertThat(SEED.tokenize("text[0]", "the zebra is blue")).containsExactly(7, 0, 5, 0);
        // The unknown token need not be id 0.
        Vocabulary masked = new Vocabulary(List.of("<pad>", "<_unk>", "the", "cat"));
        assertThat(masked.tokenize("text[0]", "the dog")).containsExactly(2, 1);
    }

    @Test
    void withoutAnUnknownTokenAnUnknownWordIsAnError() {
        Vocabulary closed = new Vocabulary(List.of("<pad>", "the", "cat"));
        assertThatThrownBy(() -> closed.tokenize("text[1]", "the dog"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("text[1] word 1 \"dog\" is not in the vocabulary, which has no <_unk> for unknown words");
    }

    @Test
    void aWindowWithoutWordsIsAnError() {
        assertThatThrownBy(() -> SEED.tokenize("text[2]", " \t "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("text[2] = \" \t \" has no words");
    }

    @Test
    void wordsMustBeSingleAndDistinct() {
        assertThatThrownBy(() -> new Vocabulary(List.of("a", "b", "a")))
                .hasMessage("vocabulary[2] = \"a\" repeats vocabulary[0]");
        assertThatThrownBy(() -> new Vocabulary(List.of("a", "two words")))
                .hasMessage("vocabulary[1] = \"two words\" is not a single word without white space");
        assertThatThrownBy(() -> new Vocabulary(List.of("a", "")))
                .hasMessageContaining("vocabulary[1] = \"\"");
    }

    @Test
    void unicodeWhiteSpaceSplitsWordsLikePythonsSplit() {
        // Python: "the\u00a0word\u2003<_unk>\u3000is".split() == ["the", "word", "<_unk>", "is"]
        assertThat(SEED.tokenize("text[0]", "\u00a0the\u00a0word\u2003<_unk>\u3000is\u00a0")).containsExactly(7, 8, 0, 5);
    }

    @Test
    void anUpperCaseVocabularyWordIsRefusedBecauseLowerCasedTextCouldNeverMatchIt() {
        assertThatThrownBy(() -> new Vocabulary(List.of("<_unk>", "Flower")))
                .hasMessage("vocabulary[1] = \"Flower\" has upper-case letters; text is lower-cased before lookup,"
                        + " so it could never match");
    }
}
