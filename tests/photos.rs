//! Photos in a real browser: shrinking and hashing a generated image, and the
//! photo store (put, get, delete, usage, upload queue).

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use xunfang::media;
use xunfang::storage::Db;

wasm_bindgen_test_configure!(run_in_browser);

/// A `w`×`h` JPEG drawn with gradients and noise, like a 12 MP photo.
async fn camera_photo(w: u32, h: u32) -> web_sys::Blob {
    let document = web_sys::window().unwrap().document().unwrap();
    let canvas: web_sys::HtmlCanvasElement = document.create_element("canvas").unwrap().unchecked_into();
    canvas.set_width(w);
    canvas.set_height(h);
    let ctx: web_sys::CanvasRenderingContext2d = canvas.get_context("2d").unwrap().unwrap().unchecked_into();
    let g = ctx.create_linear_gradient(0.0, 0.0, w as f64, h as f64);
    g.add_color_stop(0.0, "#3a6ea5").unwrap();
    g.add_color_stop(0.5, "#c9d6a3").unwrap();
    g.add_color_stop(1.0, "#6b4f2a").unwrap();
    ctx.set_fill_style_canvas_gradient(&g);
    ctx.fill_rect(0.0, 0.0, w as f64, h as f64);
    // Texture: many small shapes in varied colours (foliage, bricks, faces).
    let mut seed = 12345u32;
    for _ in 0..20_000 {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let x = (seed % w) as f64;
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let y = (seed % h) as f64;
        ctx.set_fill_style_str(&format!("hsl({}, 40%, {}%)", seed % 360, 20 + seed % 60));
        ctx.fill_rect(x, y, 6.0 + (seed % 30) as f64, 4.0 + (seed % 20) as f64);
    }
    let data = canvas.to_data_url_with_type_and_encoder_options("image/jpeg", &0.92.into()).unwrap();
    let b64 = data.split(',').nth(1).unwrap();
    let bytes = web_sys::window().unwrap().atob(b64).unwrap();
    let raw: Vec<u8> = bytes.chars().map(|c| c as u8).collect();
    media::blob_from(&raw, "image/jpeg").unwrap()
}

#[wasm_bindgen_test]
async fn a_12_megapixel_photo_is_shrunk_to_1600_px_jpeg_with_a_stable_hash() {
    let original = camera_photo(4000, 3000).await;
    let shrunk = media::shrink(&original, media::PHOTO_MAX_SIDE, media::PHOTO_QUALITY).await.unwrap();
    assert_eq!((shrunk.width, shrunk.height), (1600, 1200));
    assert_eq!(shrunk.blob.type_(), "image/jpeg");
    let size = shrunk.blob.size();
    web_sys::console::log_1(&format!("12 MP test photo: original {} bytes, stored {} bytes", original.size(), size).into());
    assert!(size < 1_000_000.0, "a shrunk photo stays under 1 MB, was {size}");
    let a = media::sha256_hex(&shrunk.blob).await.unwrap();
    let b = media::sha256_hex(&shrunk.blob).await.unwrap();
    assert_eq!(a, b);
    assert!(xunfang_core::model::is_sha256_hex(&a));
    let thumb = media::shrink(&shrunk.blob, media::THUMB_MAX_SIDE, media::THUMB_QUALITY).await.unwrap();
    assert_eq!((thumb.width, thumb.height), (320, 240));
    // A portrait photo keeps its orientation.
    let portrait = media::shrink(&camera_photo(900, 2000).await, media::PHOTO_MAX_SIDE, 0.8).await.unwrap();
    assert_eq!((portrait.width, portrait.height), (720, 1600));
}

#[wasm_bindgen_test]
async fn sha256_matches_a_known_digest() {
    let blob = media::blob_from(b"abc", "application/octet-stream").unwrap();
    assert_eq!(media::sha256_hex(&blob).await.unwrap(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

#[wasm_bindgen_test]
async fn a_file_that_is_not_an_image_is_refused_with_a_reason() {
    let blob = media::blob_from(b"not an image at all", "image/jpeg").unwrap();
    assert!(matches!(media::shrink(&blob, 1600, 0.8).await, Err(media::MediaError::NotAnImage(_))));
}

#[wasm_bindgen_test]
async fn the_photo_store_keeps_blobs_by_hash_and_counts_them() {
    let _ = rexie::Rexie::delete("t-photos").await;
    let db = Db::open("t-photos").await.unwrap();
    let one = media::blob_from(&[1u8; 1000], "image/jpeg").unwrap();
    let two = media::blob_from(&[2u8; 3000], "image/jpeg").unwrap();
    let (h1, h2) = (media::sha256_hex(&one).await.unwrap(), media::sha256_hex(&two).await.unwrap());
    db.put_photo(&h1, &one, true).await.unwrap();
    db.put_photo(&h2, &two, false).await.unwrap();
    let usage = db.photo_usage().await.unwrap();
    assert_eq!((usage.count, usage.bytes, usage.waiting), (2, 4000, 1));
    let back = db.get_photo(&h1).await.unwrap().unwrap();
    assert_eq!(media::bytes_of(&back.blob).await.unwrap(), vec![1u8; 1000]);
    assert_eq!(db.photo_uploads().await.unwrap(), vec![h1.clone()]);
    db.photo_uploaded(&h1).await.unwrap();
    assert!(db.photo_uploads().await.unwrap().is_empty());
    db.delete_photo(&h1).await.unwrap();
    assert!(db.get_photo(&h1).await.unwrap().is_none());
    assert_eq!(db.photo_usage().await.unwrap().count, 1);
}
