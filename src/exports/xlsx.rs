//! Writes typed sheets (`xunfang_core::sheet`) as an `.xlsx` workbook: bold
//! header row frozen, numbers as numbers, dates as dates (yyyy-mm-dd).

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};
use xunfang_core::sheet::{Cell, Sheet};

/// The MIME type of an `.xlsx` file.
pub const MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The workbook's bytes: one worksheet per sheet, in order.
pub fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let day = Format::new().set_num_format("yyyy-mm-dd");
    for sheet in sheets {
        let ws = book.add_worksheet();
        ws.set_name(sheet.name.as_str())?;
        for (c, head) in sheet.header.iter().enumerate() {
            ws.write_string_with_format(0, col(c)?, head.as_str(), &bold)?;
        }
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
            for (c, value) in row.iter().enumerate() {
                let c = col(c)?;
                match value {
                    Cell::Empty => {}
                    Cell::Text(t) => {
                        ws.write_string(r, c, t.as_str())?;
                    }
                    Cell::Number(n) => {
                        ws.write_number(r, c, *n)?;
                    }
                    Cell::Date(d) => {
                        use chrono::Datelike;
                        let year = u16::try_from(d.year()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
                        // Month and day always fit a u8 (1..=12, 1..=31).
                        let when = ExcelDateTime::from_ymd(year, d.month() as u8, d.day() as u8)?;
                        ws.write_datetime_with_format(r, c, &when, &day)?;
                    }
                }
            }
        }
        ws.set_freeze_panes(1, 0)?;
        ws.set_autofit_max_width(400);
        ws.autofit();
    }
    book.save_to_buffer()
}

fn col(c: usize) -> Result<u16, XlsxError> {
    u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)
}

/// Writes `sheets` and offers the workbook as `name` (ending in `.xlsx`).
/// Fails only when the writer refuses the data (e.g. past Excel's limits) or
/// the browser refuses the download.
pub fn offer(name: &str, sheets: &[Sheet]) -> Result<(), String> {
    let bytes = workbook(sheets).map_err(|e| e.to_string())?;
    crate::files::download_bytes(name, MIME, &bytes).map_err(|e| format!("{e:?}"))
}
