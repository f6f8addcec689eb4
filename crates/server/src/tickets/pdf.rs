//! The tickets as a PDF: one ticket a page (A6, what a phone shows whole and a printer
//! prints), in Helvetica, one of the fonts every PDF reader has (PDF's "standard 14"): nothing
//! is embedded, nothing downloaded. The QR code is the ticket's code drawn as filled squares,
//! so it stays sharp at any zoom and needs no image library.

use super::{SheetTicket, TicketSheet};
use crate::error::{AppError, AppResult};
use pdf_writer::{Content, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

/// A6 portrait, in points.
const WIDTH: f32 = 297.6;
const HEIGHT: f32 = 419.5;
const MARGIN: f32 = 24.0;
/// The QR code's side, quiet zone included, in points.
const QR_SIDE: f32 = 150.0;
/// The quiet zone around a QR code, in modules, as the standard asks.
const QUIET: usize = 4;

const REGULAR: Name = Name(b"F1");
const BOLD: Name = Name(b"F2");

/// The PDF of a booking's tickets: one page per ticket.
pub fn render(sheet: &TicketSheet) -> AppResult<Vec<u8>> {
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let pages = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let first_page = 6;
    // Each ticket takes two ids: its page and its content stream.
    let page_ids: Vec<Ref> = (0..sheet.tickets.len())
        .map(|i| Ref::new(first_page + 2 * i as i32))
        .collect();

    pdf.catalog(catalog).pages(pages);
    pdf.pages(pages)
        .kids(page_ids.iter().copied())
        .count(page_ids.len() as i32);
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(TextStr(&format!(
            "Tickets {}: {}",
            sheet.reference, sheet.film
        )))
        .creator(TextStr("Marquee"));

    for (index, (ticket, page_id)) in sheet.tickets.iter().zip(&page_ids).enumerate() {
        let content_id = Ref::new(page_id.get() + 1);
        let mut page = pdf.page(*page_id);
        page.media_box(Rect::new(0.0, 0.0, WIDTH, HEIGHT))
            .parent(pages)
            .contents(content_id);
        page.resources()
            .fonts()
            .pair(REGULAR, regular)
            .pair(BOLD, bold);
        page.finish();
        let content = ticket_page(sheet, ticket, index)?;
        pdf.stream(content_id, &content.finish());
    }
    Ok(pdf.finish())
}

/// One ticket's page.
fn ticket_page(sheet: &TicketSheet, ticket: &SheetTicket, index: usize) -> AppResult<Content> {
    let mut content = Content::new();
    let mut y = HEIGHT - MARGIN - 14.0;
    for line in wrap(&sheet.film, 28).iter().take(2) {
        text(&mut content, BOLD, 16.0, MARGIN, y, line);
        y -= 19.0;
    }
    y -= 2.0;
    text(&mut content, BOLD, 10.0, MARGIN, y, &sheet.venue);
    y -= 12.0;
    text(&mut content, REGULAR, 8.0, MARGIN, y, &sheet.address);
    y -= 18.0;
    let facts = [
        ("When", sheet.local_start()),
        ("Hall", sheet.auditorium.clone()),
        ("Seat", ticket.seat.clone()),
        (
            "Ticket",
            format!("{}, {}", ticket.ticket_type, ticket.price),
        ),
        ("Booking", sheet.reference.clone()),
    ];
    for (label, value) in facts {
        text(&mut content, REGULAR, 8.0, MARGIN, y, label);
        text(&mut content, BOLD, 11.0, MARGIN + 44.0, y, &value);
        y -= 15.0;
    }
    let qr_x = (WIDTH - QR_SIDE) / 2.0;
    let qr_y = MARGIN + 22.0;
    qr_code(&mut content, &ticket.code, qr_x, qr_y)?;
    text(
        &mut content,
        REGULAR,
        7.0,
        MARGIN,
        MARGIN,
        &format!(
            "Ticket {} of {}  -  {}",
            index + 1,
            sheet.tickets.len(),
            ticket.code
        ),
    );
    Ok(content)
}

/// Writes `value` at (`x`, `y`) in `font`, in the font's encoding.
fn text(content: &mut Content, font: Name, size: f32, x: f32, y: f32, value: &str) {
    content
        .begin_text()
        .set_font(font, size)
        .next_line(x, y)
        .show(Str(&win_ansi(value)))
        .end_text();
}

/// The QR code of `code` with its quiet zone, its lower left corner at (`x`, `y`): each run
/// of dark modules in a row is one filled rectangle.
fn qr_code(content: &mut Content, code: &str, x: f32, y: f32) -> AppResult<()> {
    let qr = qrcode::QrCode::new(code.as_bytes())
        .map_err(|e| AppError::Internal(anyhow::anyhow!("QR code: {e}")))?;
    let width = qr.width();
    let module = QR_SIDE / (width + 2 * QUIET) as f32;
    let colors = qr.to_colors();
    content.set_fill_gray(0.0);
    for (row, modules) in colors.chunks(width).enumerate() {
        let top = y + QR_SIDE - (QUIET + row) as f32 * module;
        let mut column = 0;
        while column < width {
            if modules[column] != qrcode::Color::Dark {
                column += 1;
                continue;
            }
            let start = column;
            while column < width && modules[column] == qrcode::Color::Dark {
                column += 1;
            }
            content.rect(
                x + (QUIET + start) as f32 * module,
                top - module,
                (column - start) as f32 * module,
                module,
            );
        }
    }
    content.fill_nonzero();
    Ok(())
}

/// Words in lines of at most `width` characters (a longer word is a line of its own).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = vec![];
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= width => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

/// `text` in WinAnsiEncoding, the standard fonts' encoding: Latin-1 and the few characters
/// Windows-1252 adds; anything else (a title in Japanese) shows as `?`.
pub fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            '\u{20}'..='\u{7e}' | '\u{a0}'..='\u{ff}' => c as u8,
            '€' => 0x80,
            '‚' => 0x82,
            '„' => 0x84,
            '…' => 0x85,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '™' => 0x99,
            'Œ' => 0x8c,
            'œ' => 0x9c,
            'Š' => 0x8a,
            'š' => 0x9a,
            'Ž' => 0x8e,
            'ž' => 0x9e,
            'Ÿ' => 0x9f,
            _ => b'?',
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_written_in_the_standard_fonts_encoding() {
        assert_eq!(win_ansi("Sala 1"), b"Sala 1");
        assert_eq!(win_ansi("Café – 12 €"), b"Caf\xe9 \x96 12 \x80");
        assert_eq!(win_ansi("千と千尋"), b"????");
        assert_eq!(win_ansi("a\nb"), b"a?b");
    }

    #[test]
    fn long_titles_wrap_at_words() {
        assert_eq!(
            wrap("The Good, the Bad and the Ugly", 12),
            ["The Good,", "the Bad and", "the Ugly"]
        );
        assert_eq!(
            wrap("Supercalifragilistic x", 5),
            ["Supercalifragilistic", "x"]
        );
    }
}
