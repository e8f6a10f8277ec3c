/** The document types the PDF modules share (apart from the drawing code, so none imports it back). */
export type Doc = PDFKit.PDFDocument;
/** An image pdfkit has already parsed (`openImage`): drawn many times, embedded once. */
export type OpenedImage = { width: number; height: number };
