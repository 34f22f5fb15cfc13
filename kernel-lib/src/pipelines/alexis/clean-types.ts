/** What a cleaner returns: ALEXIS's row fields and, for usable images, the cleaned image for the peak finder. */
export interface CleanedImage {
  data: Float64Array;
  shape: [number, number];
  /** FITS reference pixel (1-based) and plate scale (arcsec/px) of the cleaned image. */
  crpix1: number;
  crpix2: number;
  cdelt1: number;
  cdelt2: number;
}

export interface CleanResult {
  instrument: 'AIA' | 'SXI' | string;
  telescope: string;
  wavelength: string;
  QUALITY: number;
  data_level: 'lev0' | 'lev1' | 'lev2';
  exp_time: number;
  img_data_max: number;
  img_data_min: number;
  img_flux: number;
  /** Present when QUALITY is 0 (the peak finder runs on it). */
  image?: CleanedImage;
}
