//! Letters as editable Word documents (issue 4): staff download one, adjust it in their
//! word processor, and upload it again before it is sent; what they upload is what is
//! kept and sent. The document uses Word's own heading and list styles (so it stays
//! accessible when edited), carries its title and language, and is read back as text
//! in the same paragraphs-and-lists shape the letters are written in.

use std::io::{Cursor, Read, Write};

use quick_xml::events::Event;
use quick_xml::Reader;
use zip::write::SimpleFileOptions;

use crate::letters::{blocks, escape as esc, Block};

/// The largest document accepted back, and the most text taken from it.
pub const MAX_DOCX_BYTES: usize = 4 * 1024 * 1024;
const MAX_PART_BYTES: u64 = 20 * 1024 * 1024;

fn para(style: Option<&str>, list: bool, lines: &[String]) -> String {
    let mut ppr = String::new();
    if let Some(s) = style {
        ppr.push_str(&format!("<w:pStyle w:val=\"{s}\"/>"));
    }
    if list {
        ppr.push_str("<w:numPr><w:ilvl w:val=\"0\"/><w:numId w:val=\"1\"/></w:numPr>");
    }
    let ppr = if ppr.is_empty() {
        String::new()
    } else {
        format!("<w:pPr>{ppr}</w:pPr>")
    };
    let runs: Vec<String> = lines
        .iter()
        .map(|l| format!("<w:t xml:space=\"preserve\">{}</w:t>", esc(l)))
        .collect();
    format!("<w:p>{ppr}<w:r>{}</w:r></w:p>", runs.join("<w:br/>"))
}

const CONTENT_TYPES: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/><Override PartName="/word/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml"/><Override PartName="/word/numbering.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.numbering+xml"/><Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>"#;

const RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>"#;

const DOC_RELS: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering" Target="numbering.xml"/></Relationships>"#;

const NUMBERING: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/><w:lvlText w:val="•"/><w:lvlJc w:val="left"/><w:pPr><w:ind w:left="720" w:hanging="360"/></w:pPr></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num></w:numbering>"#;

fn styles(large: bool) -> String {
    // Half-points: 12 pt body, or 18 pt for large print.
    let (body, heading) = if large { (36, 46) } else { (24, 32) };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:cs="Arial"/><w:sz w:val="{body}"/><w:szCs w:val="{body}"/><w:lang w:val="en-GB"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="160" w:line="{line}" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults><w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style><w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/><w:basedOn w:val="Normal"/><w:next w:val="Normal"/><w:pPr><w:keepNext/><w:outlineLvl w:val="0"/></w:pPr><w:rPr><w:b/><w:sz w:val="{heading}"/><w:szCs w:val="{heading}"/></w:rPr></w:style><w:style w:type="paragraph" w:styleId="ListBullet"><w:name w:val="List Bullet"/><w:basedOn w:val="Normal"/><w:pPr><w:numPr><w:numId w:val="1"/></w:numPr></w:pPr></w:style></w:styles>"#,
        line = if large { 360 } else { 336 }
    )
}

fn core(title: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>{}</dc:title><dc:language>en-GB</dc:language><dc:creator>Tact</dc:creator></cp:coreProperties>"#,
        esc(title)
    )
}

/// The letter as a Word document: `head`'s paragraphs (the letterhead), the subject as
/// Heading 1, then paragraphs and bulleted lists.
///
/// # Errors
/// The zip writer's error, in words.
pub fn render(letter: &crate::Layout) -> Result<Vec<u8>, String> {
    let mut body: String = letter.head.iter().map(|p| para(None, false, p)).collect();
    body.push_str(&para(
        Some("Heading1"),
        false,
        &[letter.subject.to_string()],
    ));
    for block in blocks(letter.text) {
        match block {
            Block::Para(lines) => body.push_str(&para(None, false, &lines)),
            Block::List(items) => {
                for i in items {
                    body.push_str(&para(Some("ListBullet"), true, &[i]));
                }
            }
        }
    }
    let document = format!(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{body}<w:sectPr><w:pgSz w:w="11906" w:h="16838"/><w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1134" w:header="567" w:footer="567" w:gutter="0"/></w:sectPr></w:body></w:document>"#
    );
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default();
    let parts = [
        ("[Content_Types].xml", CONTENT_TYPES.to_string()),
        ("_rels/.rels", RELS.to_string()),
        ("word/_rels/document.xml.rels", DOC_RELS.to_string()),
        ("word/document.xml", document),
        ("word/styles.xml", styles(letter.large)),
        ("word/numbering.xml", NUMBERING.to_string()),
        ("docProps/core.xml", core(letter.subject)),
    ];
    for (name, content) in parts {
        zip.start_file(name, opts).map_err(|e| e.to_string())?;
        zip.write_all(content.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}

/// A Word document read back: its first heading (the subject) and the text after it
/// (what comes before the heading is the letterhead), paragraphs separated by blank lines
/// and list items as "- " lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadBack {
    pub subject: Option<String>,
    pub text: String,
}

/// Reads an uploaded Word document's text, within limits.
///
/// # Errors
/// Not a Word document, too large, or its text cannot be read; in words for the person
/// who uploaded it.
pub fn read(bytes: &[u8]) -> Result<ReadBack, String> {
    if bytes.len() > MAX_DOCX_BYTES {
        return Err(format!(
            "the document is larger than {} MB",
            MAX_DOCX_BYTES / 1024 / 1024
        ));
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|_| "this is not a Word (.docx) document".to_string())?;
    let file = zip
        .by_name("word/document.xml")
        .map_err(|_| "this is not a Word (.docx) document: it has no word/document.xml")?;
    let mut xml = String::new();
    file.take(MAX_PART_BYTES)
        .read_to_string(&mut xml)
        .map_err(|_| "the document's text could not be read".to_string())?;
    paragraphs(&xml)
}

/// Walks `w:p` elements: text from `w:t`, tabs as spaces, line breaks kept; a paragraph with a
/// list number or a list style is an item; the first heading-styled one is the subject.
fn paragraphs(xml: &str) -> Result<ReadBack, String> {
    let mut reader = Reader::from_str(xml);
    let mut subject = None;
    let mut out: Vec<(bool, String)> = Vec::new();
    let (mut in_p, mut in_t) = (false, false);
    let (mut text, mut list, mut heading) = (String::new(), false, false);
    loop {
        match reader.read_event() {
            Err(e) => return Err(format!("the document's text could not be read: {e}")),
            Ok(Event::Eof) => break,
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => match e.local_name().into_inner() {
                "p" => {
                    in_p = true;
                    text.clear();
                    list = false;
                    heading = false;
                }
                "t" => in_t = true,
                "tab" if in_p => text.push(' '),
                "br" | "cr" if in_p => text.push('\n'),
                "numPr" => list = true,
                "pStyle" => {
                    for a in e.attributes().flatten() {
                        if a.key.local_name().into_inner() == "val" {
                            let v = a.value.to_lowercase();
                            heading |= v.starts_with("heading") || v == "title";
                            list |= v.starts_with("list");
                        }
                    }
                }
                _ => {}
            },
            Ok(Event::Text(t)) if in_t => {
                text.push_str(&t.xml_content(quick_xml::XmlVersion::Implicit1_0));
            }
            Ok(Event::GeneralRef(r)) if in_t => {
                if let Ok(Some(c)) = r.resolve_char_ref() {
                    text.push(c);
                    continue;
                }
                text.push_str(match &*r {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    _ => "",
                });
            }
            Ok(Event::End(e)) => match e.local_name().into_inner() {
                "t" => in_t = false,
                "p" => {
                    in_p = false;
                    let line = text
                        .split('\n')
                        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
                        .filter(|l| !l.is_empty())
                        .collect::<Vec<_>>()
                        .join("\n");
                    if line.is_empty() {
                        continue;
                    }
                    if heading && subject.is_none() {
                        subject = Some(line);
                        out.clear();
                    } else {
                        out.push((list, line));
                    }
                }
                _ => {}
            },
            _ => {}
        }
    }
    let mut text = String::new();
    for (i, (item, line)) in out.iter().enumerate() {
        if i > 0 {
            let prev_item = out[i - 1].0;
            text.push_str(if *item && prev_item { "\n" } else { "\n\n" });
        }
        if *item {
            text.push_str("- ");
            text.push_str(&line.replace('\n', " "));
        } else {
            text.push_str(line);
        }
    }
    text.push('\n');
    if text.trim().is_empty() {
        return Err("the document has no text".into());
    }
    Ok(ReadBack { subject, text })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Dear Jo Bloggs,\n\nWhat we ask & why:\n\n- Letters only.\n- Calls on Tuesdays <10am>.\n\nYours sincerely,\nThe Office\n";

    #[test]
    fn a_letter_goes_to_docx_and_comes_back_as_the_same_text() {
        let head = vec![vec!["Jo Bloggs".to_string(), "1 High Street".into()]];
        let bytes = render(&crate::Layout {
            head: &head,
            ..crate::Layout::plain("How we will be in contact", TEXT)
        })
        .unwrap();
        let back = read(&bytes).unwrap();
        assert_eq!(back.subject.as_deref(), Some("How we will be in contact"));
        assert_eq!(
            back.text,
            "Dear Jo Bloggs,\n\nWhat we ask & why:\n\n- Letters only.\n- Calls on Tuesdays <10am>.\n\nYours sincerely,\nThe Office\n"
        );
        // A second round changes nothing more.
        let again = read(
            &render(&crate::Layout {
                head: &head,
                ..crate::Layout::plain("How we will be in contact", &back.text)
            })
            .unwrap(),
        )
        .unwrap();
        assert_eq!(again, back);
    }

    #[test]
    fn the_document_carries_title_language_and_word_styles_and_large_print_is_larger() {
        let bytes = render(&crate::Layout {
            large: true,
            ..crate::Layout::plain("A title", TEXT)
        })
        .unwrap();
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut part = |name: &str| {
            let mut s = String::new();
            zip.by_name(name).unwrap().read_to_string(&mut s).unwrap();
            s
        };
        assert!(part("docProps/core.xml").contains("<dc:title>A title</dc:title>"));
        let styles = part("word/styles.xml");
        assert!(styles.contains("w:lang w:val=\"en-GB\"") && styles.contains("w:val=\"36\""));
        let doc = part("word/document.xml");
        assert!(doc.contains("Heading1") && doc.contains("<w:numPr>"));
        assert!(doc.contains("Calls on Tuesdays &lt;10am&gt;."));
    }

    #[test]
    fn what_word_writes_is_read_too() {
        // Runs split mid-word, a tab, a heading style, and a list by style alone.
        let xml = r#"<w:document xmlns:w="x"><w:body>
<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr><w:r><w:t>Sub</w:t></w:r><w:r><w:t>ject</w:t></w:r></w:p>
<w:p><w:r><w:t xml:space="preserve">Dear </w:t></w:r><w:r><w:tab/><w:t>Jo,</w:t></w:r></w:p>
<w:p/>
<w:p><w:pPr><w:pStyle w:val="ListParagraph"/></w:pPr><w:r><w:t>One</w:t></w:r></w:p>
<w:p><w:pPr><w:numPr><w:numId w:val="3"/></w:numPr></w:pPr><w:r><w:t>Two &amp; three</w:t></w:r></w:p>
</w:body></w:document>"#;
        let back = paragraphs(xml).unwrap();
        assert_eq!(back.subject.as_deref(), Some("Subject"));
        assert_eq!(back.text, "Dear Jo,\n\n- One\n- Two & three\n");
    }

    #[test]
    fn what_is_not_a_word_document_is_refused_in_words() {
        assert!(read(b"not a zip").unwrap_err().contains("not a Word"));
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("x.txt", SimpleFileOptions::default())
            .unwrap();
        zip.write_all(b"x").unwrap();
        let bytes = zip.finish().unwrap().into_inner();
        assert!(read(&bytes).unwrap_err().contains("word/document.xml"));
        let empty = render(&crate::Layout::plain("S", "")).unwrap();
        assert!(read(&empty).unwrap_err().contains("no text"));
        assert!(read(&vec![0u8; MAX_DOCX_BYTES + 1])
            .unwrap_err()
            .contains("larger"));
    }
}
