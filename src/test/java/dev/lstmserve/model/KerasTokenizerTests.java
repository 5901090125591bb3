package dev.lstmserve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keras' {@code Tokenizer} from its {@code to_json()}. The JSON below is written by hand in the exact shape of
 * {@code Tokenizer.get_config()} (the dictionaries are JSON strings inside the JSON), for
 * {@code Tokenizer(num_words=6, oov_token="<OOV>").fit_on_texts(["The cat sat on the mat.", "The dog ate my homework!"])};
 * expected ids are derived by hand from {@code keras_preprocessing/text.py}: {@code fit_on_texts} counts
 * the:3 and every other word 1, sorts by count (stable), puts {@code oov_token} first, and numbers from 1;
 * {@code texts_to_sequences} keeps ids below {@code num_words} and maps others to the oov id.
 */
class KerasTokenizerTests {

    static final String FITTED = """
            {"class_name": "Tokenizer", "config": {"num_words": 6,
             "filters": "!\\"#$%&()*+,-./:;<=>?@[\\\\]^_`{|}~\\t\\n", "lower": true, "split": " ", "char_level": false,
             "oov_token": "<OOV>", "document_count": 2,
             "word_counts": "{\\"the\\": 3, \\"cat\\": 1, \\"sat\\": 1, \\"on\\": 1, \\"mat\\": 1, \\"dog\\": 1, \\"ate\\": 1, \\"my\\": 1, \\"homework\\": 1}",
             "word_docs": "{\\"the\\": 2, \\"cat\\": 1, \\"sat\\": 1, \\"on\\": 1, \\"mat\\": 1, \\"dog\\": 1, \\"ate\\": 1, \\"my\\": 1, \\"homework\\": 1}",
             "index_docs": "{\\"2\\": 2, \\"3\\": 1, \\"4\\": 1, \\"5\\": 1, \\"6\\": 1, \\"7\\": 1, \\"8\\": 1, \\"9\\": 1, \\"10\\": 1}",
             "index_word": "{\\"1\\": \\"<OOV>\\", \\"2\\": \\"the\\", \\"3\\": \\"cat\\", \\"4\\": \\"sat\\", \\"5\\": \\"on\\", \\"6\\": \\"mat\\", \\"7\\": \\"dog\\", \\"8\\": \\"ate\\", \\"9\\": \\"my\\", \\"10\\": \\"homework\\"}",
             "word_index": "{\\"<OOV>\\": 1, \\"the\\": 2, \\"cat\\": 3, \\"sat\\": 4, \\"on\\": 5, \\"mat\\": 6, \\"dog\\": 7, \\"ate\\": 8, \\"my\\": 9, \\"homework\\": 10}"}}
            """;

    /** The same fit without oov_token or num_words: the:1, cat:2, sat:3, on:4, mat:5, dog:6, ate:7, my:8, homework:9. */
    static final String NO_OOV = """
            {"class_name": "Tokenizer", "config": {"num_words": null, "filters": "!\\"#$%&()*+,-./:;<=>?@[\\\\]^_`{|}~\\t\\n",
             "lower": true, "split": " ", "char_level": false, "oov_token": null, "document_count": 2,
             "word_index": "{\\"the\\": 1, \\"cat\\": 2, \\"sat\\": 3, \\"on\\": 4, \\"mat\\": 5, \\"dog\\": 6, \\"ate\\": 7, \\"my\\": 8, \\"homework\\": 9}"}}
            """;

    @Test
    void filtersLowerCaseAndNumWordsFollowKeras() {
        KerasTokenizer tokenizer = KerasTokenizer.fromJson(FITTED);
        // the=2, cat=3 kept; ate=8, my=9, homework=10 are >= num_words 6 -> <OOV>=1
        assertThat(tokenizer.tokenize("text[0]", "The cat ate my homework!!")).containsExactly(2, 3, 1, 1, 1);
        // a, bird unknown -> 1; on=5; the=2; mat=6 >= 6 -> 1
        assertThat(tokenizer.tokenize("text[1]", "A bird, on the mat.")).containsExactly(1, 1, 5, 2, 1);
        // tabs and newlines are filters: they split like spaces; runs of separators give no empty words
        assertThat(tokenizer.tokenize("text[2]", "the\tcat\n\non")).containsExactly(2, 3, 5);
    }

    @Test
    void wordsByIdStopAtNumWordsAndLeavePaddingEmpty() {
        KerasTokenizer tokenizer = KerasTokenizer.fromJson(FITTED);
        assertThat(tokenizer.size()).isEqualTo(6);
        assertThat(tokenizer.words()).containsExactly(null, "<OOV>", "the", "cat", "sat", "on");
        assertThat(KerasTokenizer.fromJson(NO_OOV).size()).isEqualTo(10);
    }

    @Test
    void withoutAnOovTokenAWordKerasWouldDropIsRefusedNamingIt() {
        KerasTokenizer tokenizer = KerasTokenizer.fromJson(NO_OOV);
        assertThat(tokenizer.tokenize("text[0]", "The dog, the cat.")).containsExactly(1, 6, 1, 2);
        assertThatThrownBy(() -> tokenizer.tokenize("text[1]", "the zebra"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("text[1] word 1 \"zebra\" is not in the Tokenizer's word_index and the Tokenizer has no"
                        + " oov_token: Keras would drop it, which would change the window");
    }

    @Test
    void customSplitNoFiltersAndNoLowerCasing() {
        // text_to_word_sequence("Cat,sat,,mat", filters="", lower=False, split=",") == ["Cat", "sat", "mat"]
        KerasTokenizer tokenizer = new KerasTokenizer(java.util.Map.of("Cat", 1, "sat", 2, "mat", 3, "cat", 4),
                null, "", false, ",", false, null);
        assertThat(tokenizer.tokenize("text[0]", "Cat,sat,,mat")).containsExactly(1, 2, 3);
        // split is the exact separator, so a space is part of a word
        assertThatThrownBy(() -> tokenizer.tokenize("text[0]", "Cat, sat")).hasMessageContaining("\" sat\"");
    }

    @Test
    void charLevelTokensAreLowerCasedCharactersWithoutFilters() {
        // texts_to_sequences with char_level=True: seq = text.lower(); filters are not applied
        KerasTokenizer tokenizer = new KerasTokenizer(java.util.Map.of("a", 1, "b", 2, "!", 3, "<UNK>", 4),
                null, KerasTokenizer.DEFAULT_FILTERS, true, " ", true, "<UNK>");
        assertThat(tokenizer.tokenize("text[0]", "Ab!z")).containsExactly(1, 2, 3, 4);
    }

    @Test
    void notATokenizerJsonIsRefused() {
        assertThatThrownBy(() -> KerasTokenizer.fromJson("{\"class_name\": \"Sequential\"}"))
                .hasMessage("not the JSON of Keras' Tokenizer.to_json() (class_name \"Tokenizer\")");
        assertThatThrownBy(() -> KerasTokenizer.fromJson("{\"class_name\": \"Tokenizer\", \"config\": {}}"))
                .hasMessage("Tokenizer config has no word_index");
    }

    @Test
    void theSidecarIsATokenizerJsonOrAWordListByContent(@TempDir Path dir) throws IOException {
        TextVocabulary fromJson = VocabularyFiles.read(Files.writeString(dir.resolve("tokenizer.json"), FITTED));
        assertThat(fromJson).isInstanceOf(KerasTokenizer.class);
        assertThat(fromJson.tokenize("text[0]", "the cat")).containsExactly(2, 3);

        TextVocabulary list = VocabularyFiles.read(Files.writeString(dir.resolve("words.txt"),
                "\uFEFF<_unk>\r\nthe\r\ncat\r\n"));
        assertThat(list.words()).containsExactly("<_unk>", "the", "cat");
        assertThat(list.tokenize("text[0]", "The dog")).containsExactly(1, 0);

        Path bad = Files.write(dir.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9});
        assertThatThrownBy(() -> VocabularyFiles.read(bad)).hasMessage(bad + ": is not UTF-8 text");
    }
}
