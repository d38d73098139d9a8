//! Sub-questions: the prompt that asks the LLM for them, the parsing of its answer, and the
//! questions derived from the topic alone when the answer gives too few.

/// The most bytes of a topic or a sub-question the planner keeps.
pub const MAX_TEXT: usize = 300;

/// Returns the prompt that asks the LLM for `n` sub-questions of `topic`.
pub fn prompt(topic: &str, n: usize) -> String {
    format!(
        "Break this research topic into {} short sub-questions, as a numbered list with one \
         question per line.\nTopic: {}",
        n, topic
    )
}

/// Returns the sub-questions of an LLM's `answer`: the items of a list (`1.`, `2)`, `-`, `*`)
/// that end with a question mark, or every line when all of them are questions. Anything else
/// (prose, an echo of the prompt, placeholder text) gives none. Duplicates are dropped.
pub fn parse(answer: &str) -> Vec<String> {
    let lines: Vec<&str> = answer.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    let all_questions = !lines.is_empty() && lines.iter().all(|l| l.ends_with('?'));
    let mut out: Vec<String> = Vec::new();
    for line in lines {
        let (listed, text) = strip_marker(line);
        let text = one_line(text);
        if !(listed || all_questions) || !text.ends_with('?') || text.len() < 4 || text.len() > MAX_TEXT {
            continue;
        }
        if !out.contains(&text) {
            out.push(text);
        }
    }
    out
}

/// Returns `line` without a list marker, and whether it had one.
fn strip_marker(line: &str) -> (bool, &str) {
    if let Some(rest) = line.strip_prefix("- ").or_else(|| line.strip_prefix("* ")) {
        return (true, rest);
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits <= 3 {
        let rest = &line[digits..];
        if let Some(rest) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return (true, rest);
        }
    }
    (false, line)
}

/// The questions [`derive`] asks first, `{}` standing for the topic.
const TEMPLATES: [&str; 8] = [
    "What is {}, in plain words?",
    "How does {} work?",
    "Why does {} matter, and to whom?",
    "What are the main risks or limits of {}?",
    "What has changed recently in {}?",
    "How is {} measured or evaluated?",
    "What are the alternatives to {}?",
    "What are the open problems in {}?",
];

/// Returns sub-question `i` (from 0) of `topic`, derived from the topic alone: the same topic
/// and index always give the same question.
pub fn derive(topic: &str, i: usize) -> String {
    match TEMPLATES.get(i) {
        Some(t) => t.replace("{}", topic),
        None => format!("What else should a newcomer know about {} (part {})?", topic, i + 1),
    }
}

/// Returns exactly `n` distinct sub-questions: the first of `parsed`, then derived ones.
pub fn complete(topic: &str, mut parsed: Vec<String>, n: usize) -> Vec<String> {
    parsed.truncate(n);
    let mut i = 0;
    while parsed.len() < n {
        let q = derive(topic, i);
        if !parsed.contains(&q) {
            parsed.push(q);
        }
        i += 1;
    }
    parsed
}

/// Returns `s` with its runs of white space made single spaces, cut to at most [`MAX_TEXT`]
/// bytes on a character boundary.
pub fn one_line(s: &str) -> String {
    let mut t = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if t.len() > MAX_TEXT {
        let mut end = MAX_TEXT;
        while !t.is_char_boundary(end) {
            end -= 1;
        }
        t.truncate(end);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_lists_and_bare_questions() {
        let answer = "Here are some questions:\n1. What is X?\n2) How does X work?\n- Why X?\n* Is X safe?\n3. Not a question.\n";
        assert_eq!(
            parse(answer),
            ["What is X?", "How does X work?", "Why X?", "Is X safe?"]
        );
        assert_eq!(
            parse("What is X?\n\nHow does X work?\nWhat is X?"),
            ["What is X?", "How does X work?"]
        );
    }

    #[test]
    fn prose_echoes_and_placeholders_give_none() {
        let topic = "Why is the sky blue?";
        assert!(parse(&format!("echo: {}", prompt(topic, 3))).is_empty());
        assert!(parse("Give a man a fish, and you feed him for a day?\nTo be or not to be.").is_empty());
        assert!(parse("").is_empty());
        assert!(parse("1. ?").is_empty());
    }

    #[test]
    fn complete_fills_with_derived_questions_deterministically() {
        let qs = complete("rust", vec!["What is rust, in plain words?".into()], 3);
        assert_eq!(
            qs,
            [
                "What is rust, in plain words?",
                "How does rust work?",
                "Why does rust matter, and to whom?"
            ]
        );
        let many = complete("t", Vec::new(), 100);
        assert_eq!(many.len(), 100);
        assert_eq!(many[99], "What else should a newcomer know about t (part 100)?");
        assert_eq!(many, complete("t", Vec::new(), 100));
        assert_eq!(complete("t", vec!["a?".into(), "b?".into()], 1), ["a?"]);
    }

    #[test]
    fn one_line_bounds_text() {
        assert_eq!(one_line(" a\n\tb  c "), "a b c");
        let long = "é".repeat(400);
        let cut = one_line(&long);
        assert!(cut.len() <= MAX_TEXT && cut.chars().all(|c| c == 'é'));
    }
}
