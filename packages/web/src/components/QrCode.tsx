/** QR codes for what a screen shows to be scanned (an authenticator setup, a desk code). */
import QRCode from 'qrcode';
import { useMemo } from 'react';

/** A QR code drawn as SVG (no data: URL, so the strict Content-Security-Policy holds). */
export function QrCode(props: { text: string; label: string }) {
  const { size, path } = useMemo(() => {
    const { modules } = QRCode.create(props.text, { errorCorrectionLevel: 'M' });
    const quiet = 4;
    let d = '';
    for (let row = 0; row < modules.size; row++) {
      for (let col = 0; col < modules.size; col++) {
        if (modules.get(row, col)) d += `M${col + quiet} ${row + quiet}h1v1h-1z`;
      }
    }
    return { size: modules.size + 2 * quiet, path: d };
  }, [props.text]);
  return (
    <svg
      className="qr-code"
      viewBox={`0 0 ${size} ${size}`}
      role="img"
      aria-label={props.label}
      shapeRendering="crispEdges"
    >
      <rect width={size} height={size} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
