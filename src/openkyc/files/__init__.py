"""Files: uploaded images and PDFs, checked from their bytes, stored outside the database."""
