/** The URL layout of pictures resized at the edge: what pages write is what the image function reads. */
import { describe, expect, it } from 'vitest';
import { imageUrl, originalKey, parseImagePath, responsiveImage } from '../../../../functions/shared/images/urls.js';

describe('image URLs', () => {
  it('read back what they were made from', () => {
    expect(parseImagePath(imageUrl('assets/img/tent-blue-0a1b2c3d4e.png', 480, 'webp'))).toEqual({ width: 480, format: 'webp', key: 'assets/img/tent-blue-0a1b2c3d4e.png' });
  });

  it('refuse widths and formats off the list, and anything but a site picture under /assets/', () => {
    expect(parseImagePath('/_img/333w/avif/assets/img/a.png')).toEqual({ status: 400, error: 'expected a width of 160, 320, 480, 640, 960, 1280, got 333' });
    expect(parseImagePath('/_img/320w/gif/assets/img/a.png')).toMatchObject({ status: 400, error: expect.stringContaining('got "gif"') });
    expect(parseImagePath('/_img/320w/avif/_restatic/state/root.json')).toMatchObject({ status: 404 });
    expect(parseImagePath('/_img/320w/avif/assets/../_restatic/x.png')).toMatchObject({ status: 404 });
    expect(parseImagePath('/_img/320w/avif/assets/site.css')).toMatchObject({ status: 404 });
    expect(parseImagePath('/_img/huge')).toMatchObject({ status: 400 });
  });

  it('give a site picture srcsets per format, and leave another host\'s picture as it is', () => {
    // Act
    const set = responsiveImage('/assets/img/a.jpg', [160, 320]);
    // Assess
    expect(set).toEqual({
      avif: '/_img/160w/avif/assets/img/a.jpg 160w, /_img/320w/avif/assets/img/a.jpg 320w',
      webp: '/_img/160w/webp/assets/img/a.jpg 160w, /_img/320w/webp/assets/img/a.jpg 320w',
      fallback: '/_img/160w/jpeg/assets/img/a.jpg 160w, /_img/320w/jpeg/assets/img/a.jpg 320w',
    });
    expect(responsiveImage('https://cdn.example.com/a.jpg', [160])).toBeUndefined();
    expect(originalKey('//cdn.example.com/a.jpg')).toBeUndefined();
  });
});
