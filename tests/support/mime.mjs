// Reading the headers of a rendered mail the way a mail reader shows them.

/**
 * The header `name` of a raw message (its first one), unfolded, with RFC 2047 encoded words decoded (B or Q, in
 * any charset TextDecoder knows) and the white space between two adjacent encoded words dropped, as RFC 2047 6.2
 * says. Undefined when the message has no such header.
 */
export function decodedHeader(raw, name) {
  const head = raw.split(/\r?\n\r?\n/, 1)[0].replace(/\r?\n(?=[ \t])/g, '');
  const line = head.split(/\r?\n/).find((l) => l.toLowerCase().startsWith(name.toLowerCase() + ':'));
  if (line === undefined) return undefined;
  const word = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g;
  return line.slice(name.length + 1).trim()
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)[ \t]+(?==\?)/g, '$1')
    .replace(word, (_, charset, encoding, text) => {
      const bytes = /b/i.test(encoding)
        ? Buffer.from(text, 'base64')
        : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (__, h) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      return new TextDecoder(charset.replace(/\*.*$/, '')).decode(bytes);
    });
}
