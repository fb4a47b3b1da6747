"""What an audit writes: the audit JSON, the findings CSV, the negatives files, the XLSX workbook
and the terminal summary, all through `csvio` (atomic writes, spreadsheet-safe cells)."""
