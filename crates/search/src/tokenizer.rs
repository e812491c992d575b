//! Word segmentation for Chinese text: jieba in search mode without its HMM guesses (a long word
//! is emitted with its dictionary sub-words, so "北京大学" is found by "大学" too), Latin letters
//! lower-cased, and the structural particles, whitespace and punctuation dropped so that they
//! neither match nor score. The same analyzer serves the index and the questions.
//!
//! A dictionary cuts some sentences differently from the words people then ask for ("路灯不亮" is
//! cut 路 / 灯不亮, so "路灯" is not one of its words). Every text is therefore also indexed as
//! overlapping character pairs ([`Bigrams`]): a question's word is found whole, by all of its
//! dictionary parts, or by all of its character pairs.

use tantivy::tokenizer::{LowerCaser, RemoveLongFilter, StopWordFilter, TextAnalyzer, Token, TokenStream, Tokenizer};

/// The name the word analyzer is registered under in the index.
pub const JIEBA: &str = "jieba";

/// The name the character-pair analyzer is registered under in the index.
pub const GRAMS: &str = "grams";

/// Words left out: particles, pronouns and punctuation that carry no matter of their own.
const STOP: &[&str] = &[
    "的", "了", "是", "在", "和", "与", "及", "也", "都", "就", "着", "过", "吗", "呢", "吧", "啊", "呀", "把", "被",
    "我", "你", "他", "她", "它", "我们", "他们", "这", "那", "有", "请", "，", "。", "、", "；", "：", "？", "！",
    "“", "”", "‘", "’", "（", "）", "《", "》", "【", "】", "…", "—", "·", ",", ".", ";", ":", "?", "!", "(", ")",
    "\"", "'", "-", "/", " ", "\t", "\n", "\r", "　",
];

/// The analyzer for every text field.
pub fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(tantivy_jieba::JiebaTokenizer::with_hmm(false))
        .filter(RemoveLongFilter::limit(64))
        .filter(LowerCaser)
        .filter(StopWordFilter::remove(STOP.iter().map(|s| (*s).to_owned())))
        .build()
}

/// Overlapping pairs of Chinese characters (a lone character stands for itself), and runs of
/// Latin letters and digits as lower-cased words; everything else separates.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bigrams;

/// The tokens [`Bigrams`] made of one text.
#[derive(Debug)]
pub struct BigramStream {
    tokens: Vec<Token>,
    next: usize,
}

impl TokenStream for BigramStream {
    fn advance(&mut self) -> bool {
        self.next += 1;
        self.next <= self.tokens.len()
    }

    fn token(&self) -> &Token {
        &self.tokens[self.next.saturating_sub(1).min(self.tokens.len().saturating_sub(1))]
    }

    fn token_mut(&mut self) -> &mut Token {
        let i = self.next.saturating_sub(1).min(self.tokens.len().saturating_sub(1));
        &mut self.tokens[i]
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FFFF}')
}

/// The character pairs and Latin words of `text`, with byte offsets.
fn bigram_tokens(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| chars.get(i + 1).map_or(text.len(), |(b, _)| *b);
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if is_han(c) {
            let mut j = i;
            while j + 1 < chars.len() && is_han(chars[j + 1].1) {
                j += 1;
            }
            if j == i {
                out.push(Token { offset_from: start, offset_to: end_of(i), text: c.to_string(), ..Token::default() });
            }
            for k in i..j {
                let (b, _) = chars[k];
                out.push(Token {
                    offset_from: b,
                    offset_to: end_of(k + 1),
                    text: text[b..end_of(k + 1)].to_owned(),
                    ..Token::default()
                });
            }
            i = j + 1;
        } else if c.is_ascii_alphanumeric() {
            let mut j = i;
            while j + 1 < chars.len() && chars[j + 1].1.is_ascii_alphanumeric() {
                j += 1;
            }
            out.push(Token {
                offset_from: start,
                offset_to: end_of(j),
                text: text[start..end_of(j)].to_ascii_lowercase(),
                ..Token::default()
            });
            i = j + 1;
        } else {
            i += 1;
        }
    }
    for (n, t) in out.iter_mut().enumerate() {
        t.position = n;
        t.position_length = 1;
    }
    out
}

impl Tokenizer for Bigrams {
    type TokenStream<'a> = BigramStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> BigramStream {
        BigramStream { tokens: bigram_tokens(text), next: 0 }
    }
}

/// The character-pair analyzer.
pub fn bigram_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(Bigrams).filter(RemoveLongFilter::limit(64)).build()
}

/// The character pairs of a text, as indexed.
pub fn grams(text: &str) -> Vec<String> {
    bigram_tokens(text).into_iter().map(|t| t.text).collect()
}

/// One token of a text: the word, and its place in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// The word as indexed.
    pub text: String,
    /// Character offset where it starts.
    pub start: usize,
    /// Length in characters.
    pub len: usize,
}

/// The tokens of `text` as the index sees them.
pub fn pieces(text: &str) -> Vec<Piece> {
    let mut a = analyzer();
    let mut stream = a.token_stream(text);
    let mut out = Vec::new();
    while let Some(t) = stream.next() {
        out.push(Piece { text: t.text.clone(), start: t.position, len: t.position_length.max(1) });
    }
    out
}

/// A word of a question and the dictionary parts search mode cut from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The whole word.
    pub text: String,
    /// Its parts (empty for a word of two characters or fewer).
    pub parts: Vec<String>,
}

/// The words of a question: tokens that no longer token covers, each with the tokens inside it.
/// A word is found either whole or by all of its parts, so a text cut differently still matches.
pub fn words(text: &str) -> Vec<Word> {
    let ps = pieces(text);
    let covers = |outer: &Piece, inner: &Piece| {
        outer.start <= inner.start && inner.start + inner.len <= outer.start + outer.len && outer.len > inner.len
    };
    let mut out: Vec<Word> = Vec::new();
    for p in &ps {
        if ps.iter().any(|o| covers(o, p)) {
            continue;
        }
        let mut parts: Vec<String> = ps.iter().filter(|i| covers(p, i)).map(|i| i.text.clone()).collect();
        parts.dedup();
        if !out.iter().any(|w| w.text == p.text) {
            out.push(Word { text: p.text.clone(), parts });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        pieces(s).into_iter().map(|p| p.text).collect()
    }

    #[test]
    fn a_sentence_is_cut_into_words_not_characters() {
        let t = texts("小区门口的路灯已经坏了三天");
        assert!(t.contains(&"路灯".to_owned()), "{t:?}");
        assert!(t.contains(&"门口".to_owned()), "{t:?}");
        assert!(t.contains(&"小区".to_owned()), "{t:?}");
        assert!(!t.contains(&"的".to_owned()) && !t.contains(&"了".to_owned()), "particles dropped: {t:?}");
    }

    #[test]
    fn search_mode_also_emits_the_parts_of_a_long_word() {
        let t = texts("张华考上了北京大学");
        assert!(t.contains(&"北京大学".to_owned()) && t.contains(&"北京".to_owned()) && t.contains(&"大学".to_owned()));
    }

    #[test]
    fn punctuation_and_spaces_are_dropped_and_latin_lower_cased() {
        let t = texts("WiFi信号差， 请处理！");
        assert!(t.iter().all(|w| !w.trim().is_empty() && w != "，" && w != "！"), "{t:?}");
        assert!(t.iter().any(|w| w.chars().all(|c| c.is_ascii_lowercase())), "{t:?}");
    }

    #[test]
    fn question_words_group_their_parts() {
        let w = words("北京大学路灯");
        let whole = w.iter().find(|w| w.text == "北京大学").expect("whole word");
        assert!(whole.parts.contains(&"北京".to_owned()) && whole.parts.contains(&"大学".to_owned()), "{w:?}");
        assert!(w.iter().any(|w| w.text == "路灯" && w.parts.is_empty()), "{w:?}");
        assert!(!w.iter().any(|w| w.text == "北京"), "parts are not words of their own: {w:?}");
    }

    #[test]
    fn bigrams_pair_chinese_characters_and_keep_latin_words() {
        assert_eq!(grams("路灯不亮"), vec!["路灯", "灯不", "不亮"]);
        assert_eq!(grams("坏"), vec!["坏"]);
        assert_eq!(grams("5号楼WiFi，路灯"), vec!["5", "号楼", "wifi", "路灯"]);
    }

    #[test]
    fn a_word_the_dictionary_cuts_otherwise_is_still_in_the_pairs() {
        let cut = texts("路灯不亮");
        assert!(!cut.contains(&"路灯".to_owned()), "the dictionary's cut: {cut:?}");
        assert!(grams("路灯不亮").contains(&"路灯".to_owned()));
    }

    #[test]
    fn a_question_of_particles_only_has_no_words() {
        assert!(words("的了，").is_empty());
    }
}
