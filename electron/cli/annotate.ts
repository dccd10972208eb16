import sharp from 'sharp';

import type { RgbImage } from '../vision/frame/rgb-image.js';
import { toPx, type AnalysedFace } from '../vision/pipeline/face-pipeline.js';

/** Draws face boxes, five points and a sparse mesh over an image and writes it as PNG or JPEG (by extension). */
export async function writeAnnotatedImage(image: RgbImage, faces: readonly AnalysedFace[], outPath: string): Promise<void> {
  const { widthPx, heightPx } = image;
  const strokePx = Math.max(2, Math.round(Math.min(widthPx, heightPx) / 300));
  const shapes: string[] = [];
  faces.forEach((face, index) => {
    const box = face.boxNorm;
    shapes.push(
      `<rect x="${box.x * widthPx}" y="${box.y * heightPx}" width="${box.width * widthPx}" height="${box.height * heightPx}" fill="none" stroke="#00e0a0" stroke-width="${strokePx}"/>`,
    );
    for (let i = 0; i < face.meshNorm.length; i += 3 * 4) {
      shapes.push(`<circle cx="${(face.meshNorm[i] as number) * widthPx}" cy="${(face.meshNorm[i + 1] as number) * heightPx}" r="${strokePx / 2}" fill="#ffffff" fill-opacity="0.6"/>`);
    }
    for (const point of face.fivePointsNorm) {
      const { x, y } = toPx(point, widthPx, heightPx);
      shapes.push(`<circle cx="${x}" cy="${y}" r="${strokePx * 1.5}" fill="#ff3060"/>`);
    }
    shapes.push(
      `<text x="${box.x * widthPx}" y="${Math.max(12, box.y * heightPx - strokePx * 2)}" font-family="sans-serif" font-size="${strokePx * 7}" fill="#00e0a0">#${index} ${face.quality.interOcularPx.toFixed(0)} px</text>`,
    );
  });
  const svg = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${widthPx}" height="${heightPx}">${shapes.join('')}</svg>`);
  const pipeline = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength), {
    raw: { width: widthPx, height: heightPx, channels: 3 },
  }).composite([{ input: svg }]);
  await (/\.jpe?g$/i.test(outPath) ? pipeline.jpeg({ quality: 90 }) : pipeline.png()).toFile(outPath);
}
