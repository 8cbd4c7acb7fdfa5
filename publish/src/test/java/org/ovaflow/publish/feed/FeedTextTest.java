package org.ovaflow.publish.feed;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class FeedTextTest {

    @Test
    void dropsWhatXmlCannotCarryAndFoldsWhitespace() {
        assertThat(FeedText.clean("  a\u0000b\u0007\tc\r\n d\u0085e\ud800f\uffff ", 100)).isEqualTo("ab c def");
    }

    @Test
    void keepsCharactersOutsideTheBasicPlaneWhole() {
        assertThat(FeedText.clean("Widget \uD83D\uDE80 Pro", 100)).isEqualTo("Widget \uD83D\uDE80 Pro");
        // cut by code points: the pair is never split
        assertThat(FeedText.clean("ab\uD83D\uDE80cd", 3)).isEqualTo("ab\uD83D\uDE80…");
    }

    @Test
    void cutsLongTextWithAnEllipsis() {
        assertThat(FeedText.clean("x".repeat(10_000), 200)).hasSize(201).endsWith("x…");
        assertThat(FeedText.clean("abc", 3)).isEqualTo("abc");
    }

    @Test
    void htmlEscapesMarkupAndQuotes() {
        assertThat(FeedText.html("<a href=\"x\" onclick='y'>&amp;</a>", 100))
                .isEqualTo("&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;");
    }

    @Test
    void titlesHaveNoAngleBrackets() {
        assertThat(FeedText.title("<b>Widget</b> <Pro>", 100)).isEqualTo("bWidget/b Pro");
    }
}
