#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""Generates the small golden files of tests/data/ok and tests/data/bad.

Run with the system interpreter (numpy and nibabel): /usr/bin/python3 tests/data/make_data.py
The outputs are kept in the repository; rerunning gives the same bytes.

Every file of ok/ holds the voxel values (F-order linear index) % 97 in its stored dtype, so
a reader can check every voxel without a table of values. The expected shape, dtype and
offset of each file are listed in tests/unit/test_npy.c and tests/unit/test_nifti.c; every
file of bad/ is listed there with the error code it must give.
"""
import gzip
import io
import os
import struct
import sys

import numpy as np
import nibabel as nib

HERE = os.path.dirname(os.path.abspath(__file__))
OK = os.path.join(HERE, "ok")
BAD = os.path.join(HERE, "bad")


def pattern(shape, dtype):
    n = int(np.prod(shape))
    return (np.arange(n) % 97).astype(dtype).reshape(shape, order="F")


def put(folder, name, data):
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def npy_save(a, fortran=True, version=None):
    """The bytes np.save / np.lib.format.write_array produce."""
    a = np.asfortranarray(a) if fortran else np.ascontiguousarray(a)
    buf = io.BytesIO()
    np.lib.format.write_array(buf, a, version=version)
    return buf.getvalue()


def npy_hand(header, data=b"", version=1, align=64, pad=None):
    """A hand-written .npy: `header` (the dict text) padded with spaces and '\\n' to `align`
    (or with exactly `pad` spaces)."""
    prefix = 10 if version == 1 else 12
    body = header.encode("latin1")
    if pad is None:
        pad = (-(prefix + len(body) + 1)) % align
    body = body + b" " * pad + b"\n"
    fmt = "<H" if version == 1 else "<I"
    return b"\x93NUMPY" + bytes([version, 0]) + struct.pack(fmt, len(body)) + body + data


def nii_bytes(img):
    """The bytes nibabel writes for a single-file image."""
    bio = io.BytesIO()
    img.to_file_map({"image": nib.FileHolder(fileobj=bio), "header": nib.FileHolder(fileobj=bio)})
    return bio.getvalue()


def nifti1(a, zooms=(1.0, 1.0, 1.0), unit="mm", endian="<", ext=None):
    hdr = nib.Nifti1Header(endianness=endian)
    img = nib.Nifti1Image(a, np.diag(list(zooms) + [1.0]), header=hdr)
    img.header.set_data_dtype(a.dtype)
    img.header.set_zooms(tuple(zooms) + (1.0,) * (a.ndim - 3))
    img.header.set_xyzt_units(xyz=unit)
    if ext is not None:
        img.header.extensions.append(nib.nifti1.Nifti1Extension("comment", ext))
    return nii_bytes(img)


def nifti2(a, zooms=(1.0, 1.0, 1.0), endian="<"):
    hdr = nib.Nifti2Header(endianness=endian)
    img = nib.Nifti2Image(a, np.diag(list(zooms) + [1.0]), header=hdr)
    img.header.set_data_dtype(a.dtype)
    img.header.set_zooms(tuple(zooms))
    img.header.set_xyzt_units(xyz="micron")
    return nii_bytes(img)


def patch(data, off, fmt, *values):
    b = bytearray(data)
    struct.pack_into(fmt, b, off, *values)
    return bytes(b)


def make_ok():
    put(OK, "npy_v1_u16_f.npy", npy_save(pattern((5, 4, 3), "<u2")))
    put(OK, "npy_v1_f32_c.npy", npy_save(pattern((5, 4, 3), "<f4"), fortran=False))
    put(OK, "npy_v2_i16_f.npy", npy_save(pattern((4, 3, 2), "<i2"), version=(2, 0)))
    put(OK, "npy_v3_u8_f.npy", npy_save(pattern((4, 3, 2), "|u1"), version=(3, 0)))
    put(OK, "npy_be_f64_f.npy", npy_save(pattern((3, 4, 2), ">f8")))
    put(OK, "npy_be_i32_c.npy", npy_save(pattern((3, 4, 2), ">i4"), fortran=False))
    put(OK, "npy_be_u64_f.npy", npy_save(pattern((2, 2, 2), ">u8")))
    put(OK, "npy_i64_f.npy", npy_save(pattern((2, 3, 2), "<i8")))
    put(OK, "npy_bool_f.npy", npy_save(pattern((4, 3, 2), "|u1") % 3 == 1))
    put(OK, "npy_1d_i8.npy", npy_save(pattern((7,), "|i1")))
    put(OK, "npy_2d_u32_f.npy", npy_save(pattern((5, 3), "<u4")))
    put(OK, "npy_4d_u8_f.npy", npy_save(pattern((3, 2, 2, 2), "|u1")))
    put(OK, "npy_4d_u16_c.npy", npy_save(pattern((3, 4, 2, 3), "<u2"), fortran=False))  # numpy's default order
    # Written by hand: keys in another order, double quotes, odd spacing, no trailing comma,
    # 16-byte alignment as numpy < 1.9 wrote.
    put(OK, "npy_hand_keys_reordered.npy",
        npy_hand('{"shape" :( 3 , 2,2 ) ,\t"fortran_order":True,"descr":  "<u2"}', pattern((3, 2, 2), "<u2").tobytes("F"),
                 align=16))
    # Python 2 style long integers and a C-order 2-D array.
    put(OK, "npy_hand_py2_long.npy",
        npy_hand("{'descr': '<i2', 'fortran_order': False, 'shape': (3L, 2L), }", pattern((3, 2), "<i2").tobytes("C"),
                 align=16))
    # Data at an odd offset (77): nothing may assume alignment.
    put(OK, "npy_hand_unaligned_f4.npy",
        npy_hand("{'descr': '<f4', 'fortran_order': True, 'shape': (3, 2, 2), }", pattern((3, 2, 2), "<f4").tobytes("F"),
                 pad=5))
    # numpy's 1-D shape spelling and '=' (native order) written by other tools.
    put(OK, "npy_hand_native_1d.npy",
        npy_hand("{'descr': '=u2', 'fortran_order': False, 'shape': (5,)}", pattern((5,), "=u2").tobytes()))

    put(OK, "nifti1_le_i16.nii", nifti1(pattern((5, 4, 3), "<i2"), zooms=(0.5, 0.5, 2.0), unit="mm"))
    put(OK, "nifti1_be_f32.nii", nifti1(pattern((4, 3, 2), ">f4"), zooms=(1.5, 1.5, 3.0), unit="micron", endian=">"))
    # nibabel rescales data given a slope; patch the fields so the stored values stay the pattern.
    put(OK, "nifti1_scaled_u8.nii", patch(nifti1(pattern((4, 3, 2), "u1")), 112, "<2f", 2.0, -1.0))
    put(OK, "nifti1_4d_i16.nii", nifti1(pattern((3, 2, 2, 3), "<i2"), zooms=(1.0, 2.0, 3.0)))
    put(OK, "nifti1_ext_u8.nii", nifti1(pattern((3, 3, 2), "u1"), ext=b"made by tests/data/make_data.py"))
    put(OK, "nifti1_u64.nii", nifti1(pattern((2, 2, 2), "<u8")))
    put(OK, "nifti2_u16.nii", nifti2(pattern((4, 3, 2), "<u2"), zooms=(0.25, 0.25, 1.0)))
    put(OK, "nifti2_be_i32.nii", nifti2(pattern((3, 2, 2), ">i4"), endian=">"))


def make_bad_npy():
    good = npy_save(pattern((5, 4, 3), "<u2"))
    put(BAD, "empty.npy", b"")
    put(BAD, "npy_truncated_data.npy", good[:-7])
    put(BAD, "npy_truncated_header.npy", good[:60])
    put(BAD, "npy_magic_only.npy", good[:6])
    put(BAD, "npy_bad_magic.npy", b"\x93NUMPZ" + good[6:])
    put(BAD, "npy_version_4.npy", good[:6] + b"\x04\x00" + good[8:])
    put(BAD, "npy_version_1_1.npy", good[:6] + b"\x01\x01" + good[8:])
    put(BAD, "npy_hlen_beyond_file.npy", good[:8] + struct.pack("<H", 60000) + good[10:])
    put(BAD, "npy_v2_hlen_beyond_file.npy", npy_hand("{'descr': '<u2', 'fortran_order': True, 'shape': (2,), }",
                                                      b"\0" * 4, version=2)[:8] + struct.pack("<I", 0xFFFFFFF0))

    def hdr(text, data=b"\0" * 16):
        return npy_hand(text, data)

    put(BAD, "npy_lying_shape.npy", hdr("{'descr': '<u2', 'fortran_order': True, 'shape': (1000, 1000, 1000), }"))
    put(BAD, "npy_overflow_shape.npy", hdr("{'descr': '<u2', 'fortran_order': True, 'shape': (1099511627776, 1099511627776, 16), }"))
    put(BAD, "npy_dim_beyond_int64.npy", hdr("{'descr': '<u2', 'fortran_order': True, 'shape': (99999999999999999999, 2), }"))
    put(BAD, "npy_dtype_c8.npy", hdr("{'descr': '<c8', 'fortran_order': True, 'shape': (2,), }"))
    put(BAD, "npy_dtype_object.npy", hdr("{'descr': '|O', 'fortran_order': True, 'shape': (2,), }"))
    put(BAD, "npy_dtype_unicode.npy", hdr("{'descr': '<U3', 'fortran_order': True, 'shape': (1,), }"))
    put(BAD, "npy_dtype_f2.npy", hdr("{'descr': '<f2', 'fortran_order': True, 'shape': (2,), }"))
    put(BAD, "npy_dtype_structured.npy", hdr("{'descr': [('a', '<i4'), ('b', '<f4')], 'fortran_order': False, 'shape': (2,), }"))
    put(BAD, "npy_ndim5.npy", hdr("{'descr': '|u1', 'fortran_order': True, 'shape': (2, 2, 1, 1, 2), }"))
    put(BAD, "npy_0d.npy", hdr("{'descr': '<f8', 'fortran_order': False, 'shape': (), }"))
    put(BAD, "npy_missing_key.npy", hdr("{'descr': '<u2', 'shape': (2, 2), }"))
    put(BAD, "npy_extra_key.npy", hdr("{'descr': '<u2', 'fortran_order': True, 'shape': (2,), 'order': 'F', }"))
    put(BAD, "npy_shape_not_tuple.npy", hdr("{'descr': '<u2', 'fortran_order': True, 'shape': (8), }"))
    put(BAD, "npy_negative_dim.npy", hdr("{'descr': '<u2', 'fortran_order': True, 'shape': (2, -2), }"))
    put(BAD, "npy_fortran_int.npy", hdr("{'descr': '<u2', 'fortran_order': 1, 'shape': (2,), }"))
    put(BAD, "npy_unterminated_dict.npy", hdr("{'descr': '<u2', 'fortran_order': True, 'shape': (2,), "))
    put(BAD, "npy_garbage_after_dict.npy", hdr("{'descr': '<u2', 'fortran_order': True, 'shape': (2,), } x"))
    put(BAD, "npy_nul_in_header.npy", hdr("{'descr': '<u2', 'fortran_order': True,\0 'shape': (2,), }"))


def make_bad_nifti():
    good1 = nifti1(pattern((4, 3, 2), "<i2"))
    good2 = nifti2(pattern((4, 3, 2), "<u2"))
    put(BAD, "empty.nii", b"")
    put(BAD, "nifti_truncated_header.nii", good1[:200])
    put(BAD, "nifti_truncated_data.nii", good1[:-5])
    put(BAD, "nifti_bad_sizeof.nii", patch(good1, 0, "<i", 349))
    put(BAD, "nifti_bad_magic.nii", patch(good1, 344, "4s", b"n+9\0"))
    put(BAD, "nifti_analyze.nii", patch(good1, 344, "4s", b"\0\0\0\0"))
    put(BAD, "nifti_pair_ni1.nii", patch(good1, 344, "4s", b"ni1\0"))
    put(BAD, "nifti_vox_offset_beyond.nii", patch(good1, 108, "<f", 4096.0))
    put(BAD, "nifti_vox_offset_inside.nii", patch(good1, 108, "<f", 100.0))
    put(BAD, "nifti_vox_offset_fraction.nii", patch(good1, 108, "<f", 352.5))
    put(BAD, "nifti_complex.nii", patch(patch(good1, 70, "<h", 32), 72, "<h", 64))
    put(BAD, "nifti_rgb.nii", patch(patch(good1, 70, "<h", 128), 72, "<h", 24))
    put(BAD, "nifti_unknown_datatype.nii", patch(good1, 70, "<h", 3))
    put(BAD, "nifti_bitpix.nii", patch(good1, 72, "<h", 8))
    put(BAD, "nifti_dim5.nii", patch(good1, 40, "<8h", 5, 4, 3, 2, 1, 2, 1, 1))
    put(BAD, "nifti_dim0_zero.nii", patch(good1, 40, "<h", 0))
    put(BAD, "nifti_dim_negative.nii", patch(good1, 42, "<h", -4))
    put(BAD, "nifti_lying_dims.nii", patch(good1, 40, "<8h", 3, 4000, 3000, 2, 1, 1, 1, 1))
    put(BAD, "nifti_inter_nan.nii", patch(patch(good1, 112, "<f", 2.0), 116, "<f", float("nan")))
    put(BAD, "nifti2_bad_eol.nii", patch(good2, 8, "4s", b"\n\n\x1a\n"))
    put(BAD, "nifti2_pair_ni2.nii", patch(good2, 4, "4s", b"ni2\0"))
    put(BAD, "nifti2_overflow.nii", patch(good2, 16, "<8q", 3, 1 << 40, 1 << 40, 16, 1, 1, 1, 1))
    put(BAD, "nifti2_vox_offset_negative.nii", patch(good2, 168, "<q", -544))
    with open(os.path.join(BAD, "nifti_gz.nii.gz"), "wb") as f:
        f.write(gzip.compress(good1, mtime=0))


# ---- MetaImage and NRRD (tests/unit/test_text_formats.c lists each file) ------------------

def mhd_header(dims, met, spacing="0.5 0.5 2", data_file="LOCAL", extra=""):
    return (f"ObjectType = Image\nNDims = {len(dims)}\nBinaryData = True\nBinaryDataByteOrderMSB = False\n"
            f"CompressedData = False\nDimSize = {' '.join(map(str, dims))}\nElementSpacing = {spacing}\n"
            f"{extra}ElementType = {met}\nElementDataFile = {data_file}\n").encode()


def nrrd_header(dims, typ, endian="little", extra="", data_file=None):
    h = (f"NRRD0004\n# zslab golden file\ntype: {typ}\ndimension: {len(dims)}\nsizes: {' '.join(map(str, dims))}\n"
         f"endian: {endian}\nencoding: raw\n{extra}")
    h += f"data file: {data_file}\n" if data_file else "\n"
    return h.encode()


def make_text_formats():
    a = pattern((6, 5, 4), "<u2").tobytes(order="F")
    put(OK, "mhd_u16.mha", mhd_header((6, 5, 4), "MET_USHORT", extra="DistanceUnits = um\n") + a)
    put(OK, "mhd_f32_4d.mha", mhd_header((3, 4, 2, 2), "MET_FLOAT", "1 1 3 1") + pattern((3, 4, 2, 2), "<f4").tobytes(order="F"))
    put(OK, "mhd_detached_i8.mhd", mhd_header((7, 3, 2), "MET_CHAR", data_file="mhd_detached_i8.raw"))
    put(OK, "mhd_detached_i8.raw", pattern((7, 3, 2), "i1").tobytes(order="F"))
    put(OK, "mhd_headersize_end.mha", mhd_header((4, 4, 3), "MET_UCHAR", extra="HeaderSize = -1\n") + b"pad" +
        pattern((4, 4, 3), "u1").tobytes(order="F"))
    put(OK, "nrrd_u16.nrrd", nrrd_header((6, 5, 4), "unsigned short", extra='spacings: 0.5 0.5 2\nunits: "um" "um" "um"\n')
        + a)
    put(OK, "nrrd_be_i32_dirs.nrrd", nrrd_header((3, 3, 2), "int", "big", "space: left-posterior-superior\n"
        "space directions: (0.25,0,0) (0,0.25,0) (0,0,1.5)\nspace units: \"mm\" \"mm\" \"mm\"\nkey:=value\n")
        + pattern((3, 3, 2), ">i4").tobytes(order="F"))
    put(OK, "nrrd_detached_f64.nhdr", nrrd_header((2, 3, 4), "double", data_file="nrrd_detached_f64.raw",
                                                   extra="spacings: 1 1 4\n"))
    put(OK, "nrrd_detached_f64.raw", pattern((2, 3, 4), "<f8").tobytes(order="F"))
    put(BAD, "mhd_ndims5.mha", mhd_header((2, 2, 2, 2, 2), "MET_UCHAR") + bytes(32))
    put(BAD, "mhd_compressed.mha", mhd_header((2, 2, 2), "MET_UCHAR", extra="CompressedData = True\n") + bytes(8))
    put(BAD, "mhd_no_datafile.mhd", b"NDims = 3\nDimSize = 2 2 2\nElementType = MET_UCHAR\n")
    put(BAD, "mhd_truncated.mha", mhd_header((6, 5, 4), "MET_USHORT") + a[:100])
    put(BAD, "mhd_type.mha", mhd_header((2, 2, 2), "MET_STRING") + bytes(8))
    put(BAD, "mhd_dimsize_count.mha", mhd_header((2, 2, 2), "MET_UCHAR").replace(b"DimSize = 2 2 2", b"DimSize = 2 2")
        + bytes(8))
    put(BAD, "mhd_slice_files.mhd", mhd_header((2, 2, 2), "MET_UCHAR", data_file="slice%03d.raw 1 2 1"))
    put(BAD, "nrrd_gzip.nrrd", nrrd_header((2, 2, 2), "uint8").replace(b"encoding: raw", b"encoding: gzip") + bytes(20))
    put(BAD, "nrrd_no_endian.nrrd", nrrd_header((2, 2, 2), "uint16").replace(b"endian: little\n", b"") + bytes(16))
    put(BAD, "nrrd_magic.nrrd", b"NRRX0004\ntype: uint8\n\n")
    put(BAD, "nrrd_rgb.nrrd", nrrd_header((3, 2, 2, 2), "uint8", extra="kinds: RGB-color domain domain domain\n")
        + bytes(24))
    put(BAD, "nrrd_truncated.nrrd", nrrd_header((6, 5, 4), "uint16") + a[:10])
    put(BAD, "nrrd_no_blank_line.nrrd", nrrd_header((2, 2, 2), "uint8")[:-1])


# ---- TIFF (tests/unit/test_tiff.c lists each file) --------------------------------------------

def make_tiff():
    import shutil
    import subprocess
    import tifffile
    v = pattern((9, 7, 5), "<u2")          # zslab's (x, y, z)
    zyx = np.ascontiguousarray(v.transpose(2, 1, 0))
    tifffile.imwrite(os.path.join(OK, "tiff_imagej_u16.tif"), zyx, imagej=True, resolution=(2.0, 2.0),
                     metadata={"spacing": 2.0, "unit": "um", "axes": "ZYX"})
    tifffile.imwrite(os.path.join(OK, "tiff_deflate_tiled_u16.tif"), zyx, compression="zlib", predictor=True,
                     tile=(16, 16))
    tifffile.imwrite(os.path.join(OK, "tiff_bigtiff_be_u16.tif"), zyx, bigtiff=True, byteorder=">")
    ome = ('<?xml version="1.0" encoding="UTF-8"?><OME xmlns="http://www.openmicroscopy.org/Schemas/OME/2016-06">'
           '<Image ID="Image:0"><Pixels ID="Pixels:0" DimensionOrder="XYZCT" Type="uint16" SizeX="9" SizeY="7" '
           'SizeZ="5" SizeC="1" SizeT="1" PhysicalSizeX="0.25" PhysicalSizeY="0.25" PhysicalSizeZ="1.5" '
           'PhysicalSizeZUnit="&#181;m"><Channel ID="Channel:0:0" SamplesPerPixel="1"/></Pixels></Image></OME>')
    tifffile.imwrite(os.path.join(OK, "tiff_ome_u16.tif"), zyx, description=ome, metadata=None)
    f8 = pattern((9, 7, 5), "<f4")
    tifffile.imwrite(os.path.join(OK, "tiff_strips_f32.tif"), np.ascontiguousarray(f8.transpose(2, 1, 0)),
                     rowsperstrip=3, contiguous=False, metadata=None)
    if shutil.which("tiffcp"):
        subprocess.run(["tiffcp", "-c", "lzw:2", os.path.join(OK, "tiff_imagej_u16.tif"),
                        os.path.join(OK, "tiff_lzw_u16.tif")], check=True)
    tifffile.imwrite(os.path.join(BAD, "tiff_rgb.tif"), np.zeros((4, 5, 3), np.uint8), photometric="rgb")
    with tifffile.TiffWriter(os.path.join(BAD, "tiff_mixed_pages.tif")) as t:
        t.write(np.zeros((4, 5), np.uint16), contiguous=False)
        t.write(np.zeros((4, 5), np.uint8), contiguous=False)
    good = open(os.path.join(OK, "tiff_imagej_u16.tif"), "rb").read()
    put(BAD, "tiff_truncated.tif", good[:len(good) // 2])
    put(BAD, "tiff_bad_magic.tif", b"II*\x01" + good[4:])
    tifffile.imwrite(os.path.join(BAD, "tiff_1bit.tif"), np.zeros((8, 8), bool))


def main():
    os.makedirs(OK, exist_ok=True)
    os.makedirs(BAD, exist_ok=True)
    make_ok()
    make_bad_npy()
    make_bad_nifti()
    make_text_formats()
    make_tiff()
    total = sum(os.path.getsize(os.path.join(d, f)) for d in (OK, BAD) for f in os.listdir(d))
    print(f"wrote {len(os.listdir(OK))} files to ok/, {len(os.listdir(BAD))} to bad/ ({total} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
