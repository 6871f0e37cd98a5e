//! Letters as accessible PDF (issue 4): tagged (a heading, paragraphs, real lists in
//! reading order), with the letter's title shown as the window title and its language,
//! the font embedded, page numbers marked as artifacts, and checked against PDF/UA-1 by
//! the writer itself. Large print sets the text at 18 point with wider spacing.

use std::num::NonZeroU16;
use std::sync::LazyLock;

use krilla::configure::{Accessibility, ConfigurationBuilder};
use krilla::destination::XyzDestination;
use krilla::geom::Point;
use krilla::metadata::Metadata;
use krilla::outline::{Outline, OutlineNode};
use krilla::page::PageSettings;
use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, ListNumbering, Node, SpanTag, Tag, TagGroup,
    TagTree,
};
use krilla::text::{Font, TextDirection};
use krilla::{Document, SerializeSettings};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use crate::letters::{blocks, Block};

static REGULAR: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// A4 in points.
const WIDTH: f32 = 595.28;
const HEIGHT: f32 = 841.89;
const MARGIN: f32 = 64.0;
const INDENT: f32 = 20.0;

struct Face {
    font: Font,
    metrics: FontRef<'static>,
}

impl Face {
    fn load(bytes: &'static [u8]) -> Self {
        Self {
            font: Font::new(bytes.into(), 0).expect("the bundled font loads"),
            metrics: FontRef::new(bytes).expect("the bundled font parses"),
        }
    }

    fn width(&self, text: &str, size: f32) -> f32 {
        let cmap = self.metrics.charmap();
        let gm = self
            .metrics
            .glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| {
                cmap.map(c)
                    .and_then(|g| gm.advance_width(g))
                    .unwrap_or(size * 0.6)
            })
            .sum()
    }

    fn covers(&self, text: &str) -> bool {
        let cmap = self.metrics.charmap();
        text.chars()
            .all(|c| c.is_whitespace() || cmap.map(c).is_some())
    }
}

static FACES: LazyLock<(Face, Face)> = LazyLock::new(|| (Face::load(REGULAR), Face::load(BOLD)));

/// The characters of `text` the PDF's font cannot show, each once, in the order they come: a
/// name or an address in a script DejaVu Sans does not cover (Chinese, say), which the
/// printed page shows as empty boxes although its text layer keeps them. Staff are told, so
/// that such a letter is printed from Word or finished by hand, not posted with boxes.
pub fn cannot_show(text: &str) -> Vec<char> {
    let (regular, bold) = &*FACES;
    let (upright, heavy) = (regular.metrics.charmap(), bold.metrics.charmap());
    let mut missing = Vec::new();
    for c in text.chars() {
        let shown = c.is_whitespace() || (upright.map(c).is_some() && heavy.map(c).is_some());
        if !shown && !missing.contains(&c) {
            missing.push(c);
        }
    }
    missing
}

/// What [`cannot_show`] finds in a letter as kept (its address, subject and text): the
/// characters, separated by spaces, or `None` where the PDF shows all of it. The letter page
/// warns with it and the API's letter answer carries it, so both doors say the same.
pub fn unprintable(letter: &tact_core::correspondence::StoredLetter) -> Option<String> {
    let all = format!("{}\n{}\n{}", letter.to_address, letter.subject, letter.text);
    let missing = cannot_show(&all);
    (!missing.is_empty()).then(|| {
        missing
            .iter()
            .map(char::to_string)
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// Where a line of text belongs in the document's structure.
#[derive(Clone, Copy)]
enum Part {
    /// The letterhead: who it is from and to, the date and the reference.
    Head(usize),
    Heading,
    Para(usize),
    /// Block, item; `true` for the bullet itself.
    Item(usize, usize, bool),
}

struct Line {
    page: usize,
    x: f32,
    y: f32,
    text: String,
    bold: bool,
    size: f32,
    part: Part,
}

/// Splits `text` into lines no wider than `width`, breaking at spaces (a word longer
/// than the line is put on its own line).
fn wrap(face: &Face, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && face.width(&candidate, size) > width {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// A body line set but not yet placed.
struct Setting {
    x: f32,
    text: String,
    part: Part,
    /// The bullet to draw beside it, on a list item's first line.
    bullet: Option<Part>,
}

/// The longest paragraph kept whole on one page; longer ones may break, but never leaving
/// fewer than two lines on either side (no orphans, no widows).
const KEEP_WHOLE: usize = 4;

/// Whether a block leads into the next and must not be parted from it: a lead-in ending
/// in a colon ("From now on:"), a sign-off ("Yours sincerely,"), or the paragraph before
/// the sign-off, so the signature never stands alone on a last page (issue 13).
fn keeps_with_next(all: &[Block], b: usize) -> bool {
    let last_line = |b: &Block| match b {
        Block::Para(l) | Block::List(l) => l.last().cloned().unwrap_or_default(),
    };
    let first_line = |b: &Block| match b {
        Block::Para(l) | Block::List(l) => l.first().cloned().unwrap_or_default(),
    };
    let end = last_line(&all[b]);
    let end = end.trim_end();
    end.ends_with(':')
        || end.ends_with(',')
        || all
            .get(b + 1)
            .is_some_and(|n| first_line(n).starts_with("Yours "))
}

/// The body's lines as (block, line) in groups that must share a page: a short block
/// whole; a long one's first two and last two lines together; a block that leads into the
/// next joined to the next one's first group.
fn keep_together(all: &[Block], set: &[Vec<Setting>]) -> Vec<Vec<(usize, usize)>> {
    let mut groups: Vec<Vec<(usize, usize)>> = Vec::new();
    let mut join_next = false;
    for (b, lines) in set.iter().enumerate() {
        let n = lines.len();
        let mut own: Vec<Vec<(usize, usize)>> = if n <= KEEP_WHOLE {
            vec![(0..n).map(|i| (b, i)).collect()]
        } else {
            let mut g = vec![vec![(b, 0), (b, 1)]];
            g.extend((2..n - 2).map(|i| vec![(b, i)]));
            g.push(vec![(b, n - 2), (b, n - 1)]);
            g
        };
        own.retain(|g| !g.is_empty());
        if own.is_empty() {
            continue;
        }
        if join_next {
            if let Some(prev) = groups.last_mut() {
                prev.extend(own.remove(0));
            }
        }
        groups.extend(own);
        join_next = keeps_with_next(all, b);
    }
    groups
}

/// Lines placed down the pages.
struct Flow {
    lines: Vec<Line>,
    page: usize,
    y: f32,
    bottom: f32,
}

impl Flow {
    /// Puts a line `lead` below the last, on a new page if it would not fit; gives its place.
    fn put(&mut self, x: f32, text: String, bold: bool, size: f32, lead: f32, part: Part) {
        if self.y + lead > self.bottom {
            self.page += 1;
            self.y = MARGIN;
        }
        self.y += lead;
        self.lines.push(Line {
            page: self.page,
            x,
            y: self.y,
            text,
            bold,
            size,
            part,
        });
    }
}

fn layout(head: &[Vec<String>], subject: &str, text: &str, large: bool) -> (Vec<Line>, usize) {
    let (regular, bold) = &*FACES;
    let size = if large { 18.0 } else { 12.0 };
    let leading = size * if large { 1.5 } else { 1.4 };
    let gap = leading * 0.6;
    let measure = WIDTH - 2.0 * MARGIN;
    let mut flow = Flow {
        lines: Vec::new(),
        page: 0,
        y: MARGIN,
        // Room at the foot for the page number.
        bottom: HEIGHT - MARGIN - leading,
    };
    for (k, para) in head.iter().enumerate() {
        for l in para.iter().flat_map(|l| wrap(regular, l, size, measure)) {
            flow.put(MARGIN, l, false, size, leading, Part::Head(k));
        }
        flow.y += gap;
    }
    let heading = size * 1.3;
    for l in wrap(bold, subject, heading, measure) {
        flow.put(MARGIN, l, true, heading, heading * 1.3, Part::Heading);
    }
    flow.y += gap;
    // The body, set as lines first, then placed in groups that must share a page.
    let all = blocks(text);
    let mut set: Vec<Vec<Setting>> = Vec::new();
    for (b, block) in all.iter().enumerate() {
        let mut lines = Vec::new();
        match block {
            Block::Para(p) => {
                for l in p.iter().flat_map(|l| wrap(regular, l, size, measure)) {
                    lines.push(Setting {
                        x: MARGIN,
                        text: l,
                        part: Part::Para(b),
                        bullet: None,
                    });
                }
            }
            Block::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    let wrapped = wrap(regular, item, size, measure - INDENT);
                    for (n, l) in wrapped.into_iter().enumerate() {
                        lines.push(Setting {
                            x: MARGIN + INDENT,
                            text: l,
                            part: Part::Item(b, i, false),
                            // The bullet sits on the item's first line, wherever that falls.
                            bullet: (n == 0).then_some(Part::Item(b, i, true)),
                        });
                    }
                }
            }
        }
        set.push(lines);
    }
    for group in keep_together(&all, &set) {
        // A group that does not fit below starts a new page (unless it is taller than a
        // page, or the page is still empty).
        let height: f32 = group
            .iter()
            .map(|&(b, _)| b)
            .collect::<Vec<_>>()
            .windows(2)
            .filter(|w| w[0] != w[1])
            .count() as f32
            * gap
            + group.len() as f32 * leading;
        if flow.y + height > flow.bottom && flow.y > MARGIN + leading {
            flow.page += 1;
            flow.y = MARGIN;
        }
        let mut last_block = None;
        for (b, n) in group {
            if last_block.is_some_and(|l| l != b) {
                flow.y += gap;
            }
            last_block = Some(b);
            let l = &set[b][n];
            flow.put(l.x, l.text.clone(), false, size, leading, l.part);
            if let Some(part) = l.bullet {
                let (page, y) = (flow.page, flow.y);
                flow.lines.push(Line {
                    page,
                    x: MARGIN + 4.0,
                    y,
                    text: "•".into(),
                    bold: false,
                    size,
                    part,
                });
            }
            if n + 1 == set[b].len() {
                flow.y += gap;
                last_block = None;
            }
        }
    }
    (flow.lines, flow.page + 1)
}

fn settings(strict: bool) -> SerializeSettings {
    let mut s = SerializeSettings {
        enable_tagging: true,
        ..SerializeSettings::default()
    };
    if strict {
        s.configuration = ConfigurationBuilder::new()
            .with_accessibility_validator(Accessibility::UA1)
            .finish()
            .expect("PDF/UA-1 is a valid configuration");
    }
    s
}

/// The letter as a tagged PDF with its title and language (`en-GB`): `head`'s paragraphs
/// (the letterhead), the subject as its heading, then the text.
///
/// # Errors
/// The PDF writer's refusal, in words (not expected for text the bundled font covers).
pub fn render(letter: &crate::Layout) -> Result<Vec<u8>, String> {
    let (regular, bold) = &*FACES;
    // PDF/UA-1 refuses a glyph the font lacks; such a letter (a name in a script the font
    // does not cover) is still tagged, with the real characters in its text layer.
    let strict = regular.covers(letter.text)
        && bold.covers(letter.subject)
        && letter.head.iter().flatten().all(|l| regular.covers(l));
    let (lines, pages) = layout(letter.head, letter.subject, letter.text, letter.large);
    let mut doc = Document::new_with(settings(strict));
    let mut ids: Vec<Option<Identifier>> = (0..lines.len()).map(|_| None).collect();
    for p in 0..pages {
        let mut page = doc.start_page_with(
            PageSettings::from_wh(WIDTH, HEIGHT).expect("A4 is a valid page size"),
        );
        let mut surface = page.surface();
        for (i, l) in lines.iter().enumerate().filter(|(_, l)| l.page == p) {
            let face = if l.bold { bold } else { regular };
            let id = surface.start_tagged(ContentTag::Span(SpanTag::empty()));
            draw(&mut surface, face, l.x, l.y, l.size, &l.text);
            surface.end_tagged();
            ids[i] = Some(id);
        }
        let number = format!("Page {} of {pages}", p + 1);
        let size = if letter.large { 14.0 } else { 9.0 };
        let x = WIDTH - MARGIN - regular.width(&number, size);
        surface.start_tagged(ContentTag::Artifact(Artifact::with_kind(
            ArtifactType::PaginationOther,
        )));
        draw(
            &mut surface,
            regular,
            x,
            HEIGHT - MARGIN / 2.0,
            size,
            &number,
        );
        surface.end_tagged();
        surface.finish();
        page.finish();
    }
    doc.set_tag_tree(tree(
        letter.head.len(),
        letter.subject,
        letter.text,
        &lines,
        ids,
    ));
    // PDF/UA asks for an outline: the letter's one heading.
    let mut outline = Outline::new();
    outline.push_child(OutlineNode::new(
        letter.subject.to_string(),
        XyzDestination::new(0, Point::from_xy(MARGIN, MARGIN)),
    ));
    doc.set_outline(outline);
    doc.set_metadata(
        Metadata::new()
            .title(letter.subject.to_string())
            .language("en-GB".into())
            .creator("Tact".into()),
    );
    doc.finish()
        .map_err(|e| format!("the PDF could not be made: {e:?}"))
}

fn draw(surface: &mut Surface<'_>, face: &Face, x: f32, y: f32, size: f32, text: &str) {
    surface.draw_text(
        Point::from_xy(x, y),
        face.font.clone(),
        size,
        text,
        false,
        TextDirection::Auto,
    );
}

/// The structure in reading order: the letterhead's paragraphs, H1, then each block as P or L > LI > (Lbl, LBody).
fn tree(
    head: usize,
    subject: &str,
    text: &str,
    lines: &[Line],
    ids: Vec<Option<Identifier>>,
) -> TagTree {
    let mut letterhead: Vec<TagGroup> = (0..head).map(|_| TagGroup::new(Tag::P)).collect();
    let mut heading = TagGroup::new(Tag::Hn(
        NonZeroU16::new(1).expect("one"),
        Some(subject.to_string()),
    ));
    let mut groups: Vec<Option<TagGroup>> = Vec::new();
    let mut items: Vec<Vec<(TagGroup, TagGroup)>> = Vec::new();
    for (b, block) in blocks(text).iter().enumerate() {
        groups.push(match block {
            Block::Para(_) => Some(TagGroup::new(Tag::P)),
            Block::List(_) => None,
        });
        items.push(match block {
            Block::Para(_) => Vec::new(),
            Block::List(xs) => xs
                .iter()
                .map(|_| (TagGroup::new(Tag::Lbl), TagGroup::new(Tag::LBody)))
                .collect(),
        });
        debug_assert_eq!(groups.len(), b + 1);
    }
    for (l, id) in lines.iter().zip(ids) {
        let Some(id) = id else { continue };
        match l.part {
            Part::Head(k) => letterhead[k].push(id),
            Part::Heading => heading.push(id),
            Part::Para(b) => groups[b].as_mut().expect("a paragraph").push(id),
            Part::Item(b, i, true) => items[b][i].0.push(id),
            Part::Item(b, i, false) => items[b][i].1.push(id),
        }
    }
    let mut tree = TagTree::new().with_lang(Some("en-GB".into()));
    for p in letterhead {
        tree.push(p);
    }
    tree.push(heading);
    for (group, list) in groups.into_iter().zip(items) {
        match group {
            Some(p) => tree.push(p),
            None => {
                let children: Vec<Node> = list
                    .into_iter()
                    .map(|(lbl, body)| {
                        TagGroup::with_children(Tag::LI, vec![lbl.into(), body.into()]).into()
                    })
                    .collect();
                tree.push(TagGroup::with_children(
                    Tag::L(ListNumbering::Disc),
                    children,
                ));
            }
        }
    }
    tree
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text() -> &'static str {
        "Dear Jo Bloggs,\n\nWe are writing about your complaint M-000123.\n\nWhat we are asking:\n- Please contact us by letter only. Letters let us answer every point in full.\n- Please call only on Tuesdays between 10am and noon.\n\nYours sincerely,\nThe Office\n"
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn a_letter_pdf_is_tagged_with_title_language_headings_and_lists() {
        let head = vec![vec!["Jo Bloggs".to_string(), "1 High Street".into()]];
        let pdf = render(&crate::Layout {
            head: &head,
            ..crate::Layout::plain("How we will be in contact with you", text())
        })
        .unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
        for must in [
            &b"/StructTreeRoot"[..],
            b"/Marked true",
            b"/Lang(en-GB)",
            b"/DisplayDocTitle true",
            b"/H1",
            b"/LBody",
            b"/Lbl",
            b"pdfuaid:part",
        ] {
            assert!(contains(&pdf, must), "{}", String::from_utf8_lossy(must));
        }
    }

    #[test]
    fn long_letters_run_onto_more_pages_and_large_print_takes_more_room() {
        let long = format!("Dear Jo,\n\n{}", "A sentence of some length. ".repeat(400));
        let (lines, pages) = layout(&[], "Subject", &long, false);
        assert!(pages > 1, "{pages}");
        assert!(lines.iter().all(|l| l.y <= HEIGHT - MARGIN));
        let (_, large_pages) = layout(&[], "Subject", &long, true);
        assert!(large_pages > pages, "{large_pages} vs {pages}");
        assert!(render(&crate::Layout {
            large: true,
            ..crate::Layout::plain("Subject", &long)
        })
        .is_ok());
    }

    /// The page each line of the body falls on, by its text.
    fn page_of(lines: &[Line], text: &str) -> usize {
        lines
            .iter()
            .find(|l| l.text.starts_with(text))
            .unwrap_or_else(|| panic!("{text}"))
            .page
    }

    #[test]
    fn issue_13_the_sign_off_never_stands_alone_and_no_paragraph_leaves_one_line_behind() {
        // Letters of every length in large print: wherever the page breaks, the signature
        // shares its page with "Yours sincerely," and the end of the paragraph before it,
        // a lead-in stays with its list, and no page starts or ends on a paragraph's lone
        // line.
        for n in 1..60 {
            let body = "This is a sentence in a paragraph of a letter. ".repeat(n);
            let text = format!(
                "Dear Jo Bloggs,\n\n{body}\n\nFrom now on:\n- Please write to us.\n- Please call on Tuesdays.\n\n{body}\n\nYou can phone us on 01234 567890. You can email us at office@example.org. You can write to us at 1 High Street, Northtown, NT1 1AA.\n\nYours sincerely,\n\nSam Patel\nSenior manager\nThe Office\n"
            );
            for large in [false, true] {
                let (lines, _) = layout(&[], "Subject", &text, large);
                let sign = page_of(&lines, "Sam Patel");
                assert_eq!(page_of(&lines, "Yours sincerely,"), sign, "{n} {large}");
                assert_eq!(page_of(&lines, "The Office"), sign);
                let contact_end = lines
                    .iter()
                    .rfind(|l| matches!(l.part, Part::Para(_)) && l.text.contains("1AA"))
                    .unwrap();
                assert_eq!(
                    contact_end.page, sign,
                    "{n} {large}: the sign-off is not alone"
                );
                assert_eq!(
                    page_of(&lines, "From now on:"),
                    page_of(&lines, "Please write")
                );
                // No orphans or widows: a block's lines on one page number at least two,
                // unless the block is one line.
                let mut runs: std::collections::BTreeMap<(usize, usize), usize> =
                    Default::default();
                let mut sizes: std::collections::BTreeMap<usize, usize> = Default::default();
                for l in lines.iter().filter(|l| !l.text.starts_with('•')) {
                    let b = match l.part {
                        Part::Para(b) | Part::Item(b, _, _) => b,
                        _ => continue,
                    };
                    *runs.entry((b, l.page)).or_default() += 1;
                    *sizes.entry(b).or_default() += 1;
                }
                for ((b, page), count) in runs {
                    assert!(
                        count >= 2 || sizes[&b] == 1,
                        "{n} {large}: block {b} leaves {count} line on page {page}"
                    );
                }
            }
        }
    }

    #[test]
    fn lines_fit_the_measure_and_keep_every_word() {
        let face = &FACES.0;
        let para = "word ".repeat(200);
        let lines = wrap(face, &para, 12.0, 300.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| face.width(l, 12.0) <= 300.0));
        assert_eq!(lines.join(" ").split(' ').count(), 200);
    }

    #[test]
    fn the_characters_the_font_cannot_show_are_named_once_each() {
        assert_eq!(
            cannot_show("Dear Zoë Ødegård-Nguyễn 王小明, 王"),
            ['王', '小', '明']
        );
        assert!(cannot_show("Dear Jo, “quoted” – £5 €6 l’Église\n").is_empty());
    }

    #[test]
    fn a_name_the_font_cannot_show_still_makes_a_tagged_pdf() {
        let pdf = render(&crate::Layout::plain("Subject", "Dear 李小龍,\n\nHello.\n")).unwrap();
        assert!(contains(&pdf, b"/StructTreeRoot"));
    }
}
