"""What each metadata field means, as data: its group, risk, plain-language explanation and stable kind.

The interpreters (exif, xmp, iptc, photoshop, icc, vendor) look fields up here; none of them decides a
risk on its own. To change how a field is ranked or explained, change it here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RISK_ORDER = {"high": 0, "medium": 1, "low": 2}
GROUP_ORDER = [
    "location",
    "people",
    "embedded images",
    "trailing data",
    "device",
    "time",
    "content",
    "unknown segments",
    "ICC profile",
]


@dataclass(frozen=True)
class Rule:
    group: str
    kind: str  # stable label without the value (review records keep only this)
    risk: str
    explanation: str


# fmt: off
SERIAL = Rule("device", "device serial number", "high",
              "A serial number ties the photo to one physical camera or lens, and so to its owner.")
MAKE_MODEL = Rule("device", "camera make and model", "medium",
                  "Names the camera or phone; a rare model narrows down who took the photo.")
LENS = Rule("device", "lens", "low",
            "Names the lens; combined with other details it can narrow down the camera.")
SOFTWARE = Rule("content", "software", "low", "Names the program or phone firmware that last saved the file.")
PERSON = Rule("people", "person's name", "high",
              "A person's name (photographer, author, owner, copyright holder or someone shown) is written "
              "into the file.")
DATE = Rule("time", "date and time taken", "medium",
            "When the photo was taken or edited: it can place someone at a place at a given time.")
TZ = Rule("time", "time zone", "medium", "The time zone narrows down where in the world the photo was taken.")
TEXT = Rule("content", "description or comment", "medium",
            "Free text written into the file: captions, titles, comments, keywords. It may name people or "
            "places.")
# The same kind of field once its text looks like it names someone or somewhere (see IDENTIFYING_TEXT).
TEXT_IDENTIFYING = Rule("content", "description or comment", "high",
                        "Free text written into the file that seems to contain a person's name, a room, "
                        "ward, case or file number, an e-mail address or a phone number: it can identify "
                        "someone.")
PLACE = Rule("location", "place name", "high",
             "A place name (city, country, location) written into the file.")
GPS = Rule("location", "GPS position", "high",
           "Satellite coordinates of where the photo was taken: this can reveal the exact place.")
GPS_OTHER = Rule("location", "GPS details", "high",
                 "GPS fields (altitude, direction, time, processing method) about where the photo was taken.")
GPS_EMPTY = Rule("location", "GPS details", "medium",
                 "The file has GPS fields but no usable position (for example 0/0 from a camera without a "
                 "fix). Other GPS fields such as the time can still be there.")
ID = Rule("device", "unique image ID", "high",
          "A unique ID written by the camera: it can link this copy to the original file, to other photos "
          "from the same camera and so to its owner.")
MAKERNOTE = Rule("device", "maker note", "high",
                 "A vendor block of camera settings; it often hides serial numbers and owner names.")
HISTORY = Rule("content", "edit history", "medium",
               "Records of the editing programs, dates and original file names this photo went through.")
THUMB = Rule("embedded images", "embedded thumbnail", "high",
             "A small copy of the picture stored inside the file. It is not changed when the main image is "
             "edited, so it can show faces or details that were later cropped or blurred.")
SECOND = Rule("embedded images", "secondary image", "high",
              "A second picture inside the file (another frame, depth map, thermal or visible-light image, "
              "preview). It may show things the main image does not.")
MOTION = Rule("embedded images", "motion photo", "high",
              "The file says it carries a motion-photo video or extra images after the main picture.")
TRAILER = Rule("trailing data", "data after the end of the image", "high",
               "Bytes after the image's end are invisible in viewers but can hold a motion-photo video, a "
               "second image or vendor data.")
UNKNOWN = Rule("unknown segments", "unknown segment", "medium",
               "A block photolab does not recognise. Its content cannot be checked, so it is treated as a "
               "risk.")
ICC = Rule("ICC profile", "ICC profile text", "low",
           "The colour profile's text (description, copyright, device maker) can hint at the camera, scanner "
           "or software used.")
XMP = Rule("content", "XMP metadata", "low", "Other XMP fields written by cameras or editing programs.")
EXIF_OTHER = Rule("device", "camera settings", "low",
                  "Exposure and camera settings; on their own they rarely identify anyone.")
IPTC_OTHER = Rule("content", "IPTC field", "medium",
                  "A news-agency (IPTC) field; it may hold names or places.")
PHOTOSHOP = Rule("content", "Photoshop resources", "low", "Photoshop's own settings block.")
ORIENTATION = Rule("content", "orientation flag", "low",
                   "Tells viewers to rotate the picture. photolab rotates the pixels and drops the flag.")
COMPUTER = Rule("device", "computer name", "high", "The name of the computer that processed the file.")
SIDECAR = Rule("content", "XMP sidecar", "high",
               "A sidecar file beside the photo holds its metadata; photolab does not copy sidecars, but "
               "anyone given the folder gets it.")

# Free text ranks High when it contains any of these (names, rooms and case numbers, contact details) ...
IDENTIFYING_TEXT: list[re.Pattern[str]] = [
    re.compile(r"\b[A-Z]\.\s?[A-Z][a-z'’-]{2,}"),  # an initial and a surname: "A. Okafor"
    re.compile(r"\b(Mr|Mrs|Ms|Miss|Mx|Dr|Prof|Sr|Sra|Mme|Mlle|Herr|Frau)\.?\s+[A-Z]"),
    re.compile(r"(?i)\b(room|rm|ward|bed|cell|block|wing|unit|floor|flat|apt|apartment|house|office|case|"
               r"file|ref|patient|prisoner|inmate|detainee|id|no)\.?\s*(no\.?|number|#)?\s*[:#]?\s*\d+"),
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),  # e-mail address
    re.compile(r"(?:\+\d{1,3}[ .-]?)?\(?\d{2,4}\)?[ .-]\d{3,4}[ .-]\d{3,4}\b"),  # phone number
]
# ... or two capitalised words in a row ("Amina Okafor"), unless either is a word that titles, captions and
# camera boilerplate capitalise ("KODAK Digital Still Camera", "Object Name", "Wide Field Camera").
CAPITALISED_PAIR = re.compile(r"\b([A-Z][a-z'’-]+)\s+(?:[A-Z][a-z]?\.?\s+)?([A-Z][a-z'’-]{2,})\b")
_COMMON_WORDS = """
    A An The And Or Of In On At To For With From By No Not All New Old Good Bad Big Small Great Best My
    Our Your This That Untitled Digital Still Camera Cameras Photo Photos Picture Pictures Image Images
    Scan Scanner Video Object Name Title Caption Description Comment Keyword Keywords Category
    Categories Supp Cat Information Info Copyright Rights Reserved Document Default Sample Test Example
    Project Event Edition Version Model Wide Field Lens Mode Auto Manual Program Normal Standard Color
    Colour Black White Red Green Blue Day Night Morning Evening Sunset Sunrise Mobile Phone Smartphone
    Pro Plus Max Mini Ultra Series Studio Adobe Photoshop Lightroom Apple Google Samsung Canon Nikon
    Sony Kodak Olympus Panasonic Fujifilm Leica Windows Microsoft Office Graphic Converter
"""
COMMON_CAPITALISED = set(_COMMON_WORDS.split())

# EXIF/TIFF tag -> (display name, rule).
EXIF_RULES: dict[int, tuple[str, Rule]] = {
    0x010E: ("Image description", TEXT),
    0x010F: ("Camera make", MAKE_MODEL),
    0x0110: ("Camera model", MAKE_MODEL),
    0x0131: ("Software", SOFTWARE),
    0x0132: ("Date and time modified", DATE),
    0x013B: ("Artist", PERSON),
    0x013C: ("Host computer", COMPUTER),
    0x8298: ("Copyright", PERSON),
    0x9003: ("Date and time taken", DATE),
    0x9004: ("Date and time digitised", DATE),
    0x9010: ("Time zone", TZ),
    0x9011: ("Time zone (taken)", TZ),
    0x9012: ("Time zone (digitised)", TZ),
    0x9286: ("User comment", TEXT),
    0x927C: ("Maker note", MAKERNOTE),
    0xA420: ("Image unique ID", ID),
    0xA430: ("Camera owner name", PERSON),
    0xA431: ("Body serial number", SERIAL),
    0xA432: ("Lens specification", LENS),
    0xA433: ("Lens make", LENS),
    0xA434: ("Lens model", LENS),
    0xA435: ("Lens serial number", SERIAL),
    0xC62F: ("Camera serial number", SERIAL),  # DNG CameraSerialNumber
    0xC614: ("Camera model (DNG)", MAKE_MODEL),  # UniqueCameraModel
    0xC615: ("Camera model (DNG, localised)", MAKE_MODEL),
    0xC65D: ("Raw data unique ID", ID),
    0xC68B: ("Original raw file name", HISTORY),
    0x9C9B: ("Windows title", TEXT),
    0x9C9C: ("Windows comment", TEXT),
    0x9C9D: ("Windows author", PERSON),
    0x9C9E: ("Windows keywords", TEXT),
    0x9C9F: ("Windows subject", TEXT),
    0x0112: ("Orientation", ORIENTATION),
}
XP_TAGS = {0x9C9B, 0x9C9C, 0x9C9D, 0x9C9E, 0x9C9F}  # UTF-16LE text stored as BYTE
# Pointers and embedded blocks, interpreted separately (Exif, GPS, Interop, SubIFDs, XMP, IPTC, Photoshop,
# ICC).
EXIF_CONTAINERS = {0x8769, 0x8825, 0xA005, 0x014A, 0x02BC, 0x83BB, 0x8649, 0x8773}

# TIFF tags a decoder needs (and that cannot identify anyone): the TIFF allowlist.
TIFF_DECODER_TAGS = {
    254, 255, 256, 257, 258, 259, 262, 263, 266, 273, 277, 278, 279, 280, 281, 282, 283, 284,
    292, 293, 296, 301, 317, 320, 322, 323, 324, 325, 332, 338, 339, 347, 529, 530, 531, 532,
}  # fmt: skip

# XMP property local names (prefix-independent) -> rule; the first matching pattern wins.
_PEOPLE_WORDS = (r"Creator|Artist|Author|Owner|Person|Photographer|Contributor|Publisher|Licensor|Editor|"
                 r"Writer|Byline|Credit|Contact|Agent|Actor|Director|Sender")
XMP_RULES: list[tuple[re.Pattern[str], Rule]] = [
    (re.compile(r"^GPS(Latitude|Longitude)$"), GPS),
    (re.compile(r"^GPS"), GPS_OTHER),
    (re.compile(r"^(City|State|Country|CountryCode|Location|Sublocation|ProvinceState|LocationName|"
                r"LocationCreated|LocationShown|WorldRegion|CountryName|ProvinceName|CiAdrCity|CiAdrCtry|"
                r"CiAdrRegion|CiAdrPcode)$"), PLACE),
    (re.compile(r"(Serial|SerialNumber)"), SERIAL),
    (re.compile(r"^(CreatorTool|Software|CreatorToolVersion)$"), SOFTWARE),
    (re.compile(r"^(creator|rights|Copyright|Owner|OwnerName|CameraOwnerName|CaptionWriter|"
                r"AuthorsPosition|PersonInImage|PersonInImageName|CiEmailWork|CiTelWork|CiAdrExtadr|"
                r"CiUrlWork|Marked|UsageTerms|WebStatement|Source|Name|PersonDisplayName|DisplayName|"
                r"AOCreator|AOCopyrightNotice|AOSourceInvNo|RegistryOrgId)$"), PERSON),
    (re.compile(rf"({_PEOPLE_WORDS})"), PERSON),
    (re.compile(r"^(Make|Model)$"), MAKE_MODEL),
    (re.compile(r"^Lens"), LENS),
    (re.compile(r"(Date|Time)(Original|Created|Digitized|Modified)?$|^(CreateDate|ModifyDate|MetadataDate)$"),
     DATE),
    (re.compile(r"^(History|DerivedFrom|Ingredients|Pantry|OriginalDocumentID|DocumentID|InstanceID|"
                r"PreservedFileName|RawFileName)$"), HISTORY),
    (re.compile(r"^(Data|image)$"), SECOND),
    (re.compile(r"(?i)makernote$"), MAKERNOTE),
    (re.compile(r"^(MicroVideo|MotionPhoto|MicroVideoOffset|Semantic)$"), MOTION),
    (re.compile(r"^(description|title|subject|Headline|Keywords|Instructions|Label|UserComment|"
                r"ImageDescription|Caption|Event|Category|SupplementalCategories|TagsList|"
                r"hierarchicalSubject|LastKeywordXMP|CatalogSets|AOTitle|ArtworkTitle|"
                r"ExtDescrAccessibility|AltTextAccessibility)$"), TEXT),
    (re.compile(r"^(ImageUniqueID|BurstUUID|ContentIdentifier|MediaGroupUUID)$"), ID),
]
# Structure and technical names that are never shown, whatever their prefix.
XMP_SKIP = {"about", "li", "Seq", "Bag", "Alt", "Description", "RDF", "xmpmeta", "xmptk", "parseType",
            "lang", "resource", "Orientation", "Directory", "Item", "Length", "Mime", "Padding",
            "HasExtendedXMP", "MotionPhotoPresentationTimestampUs", "MotionPhotoVersion", "Type", "Role"}
XMP_STRUCTURAL_PREFIXES = {"xmlns", "rdf", "x", "xml", "stEvt", "stRef", "stDim", "stArea"}
# Technical names that a people-word pattern would otherwise catch.
XMP_NOT_PEOPLE = {"CameraProfile", "ProfileName", "LookName", "PresetName", "ModelName", "CameraModelName",
                  "LensModelName", "ProcessName", "FileName", "RawFileName", "PreservedFileName",
                  "CreatorToolVersion", "ColorantName", "FontName", "SwatchName", "GroupName", "LayerName",
                  "ChannelName", "CreatorAppVersion"}

# IPTC IIM record 2 dataset -> (display name, rule).
IPTC_RULES: dict[int, tuple[str, Rule]] = {
    5: ("Object name", TEXT), 25: ("Keywords", TEXT), 40: ("Special instructions", TEXT),
    55: ("Date created", DATE), 60: ("Time created", DATE), 62: ("Digital creation date", DATE),
    80: ("By-line", PERSON), 85: ("By-line title", PERSON), 90: ("City", PLACE),
    92: ("Sub-location", PLACE), 95: ("Province or state", PLACE), 100: ("Country code", PLACE),
    101: ("Country", PLACE), 105: ("Headline", TEXT), 110: ("Credit", PERSON), 115: ("Source", PERSON),
    116: ("Copyright notice", PERSON), 118: ("Contact", PERSON), 120: ("Caption", TEXT),
    122: ("Caption writer", PERSON), 202: ("Preview image", THUMB),
}  # fmt: skip

# PNG text keywords (lower case) -> (display name, rule); any other keyword is free text.
PNG_TEXT_KEYS: dict[str, tuple[str, Rule]] = {
    "author": ("Author", PERSON), "copyright": ("Copyright", PERSON), "artist": ("Artist", PERSON),
    "creation time": ("Creation time", DATE), "software": ("Software", SOFTWARE),
    "source": ("Source device", MAKE_MODEL), "title": ("Title", TEXT),
    "description": ("Description", TEXT), "comment": ("Comment", TEXT),
    "disclaimer": ("Disclaimer", TEXT), "warning": ("Warning", TEXT),
}  # fmt: skip
# PNG chunks that only describe how to show the pixels.
PNG_DISPLAY_CHUNKS = {"gAMA", "cHRM", "sRGB", "pHYs", "sBIT", "bKGD", "acTL", "fcTL", "fdAT", "cICP", "hIST",
                      "sPLT"}

# Maker notes: vendor tag -> (display name, rule), per vendor (see vendor.py for where each IFD starts).
MAKERNOTE_FIELDS: dict[str, dict[int, tuple[str, Rule]]] = {
    "Canon": {0x0006: ("Image type", MAKE_MODEL), 0x0009: ("Owner name", PERSON),
              0x000C: ("Serial number", SERIAL), 0x0095: ("Lens model", LENS),
              0x0096: ("Internal serial number", SERIAL), 0x0028: ("Image unique ID", ID)},
    "Nikon": {0x001D: ("Serial number", SERIAL), 0x00A0: ("Serial number", SERIAL)},
    "Fujifilm": {0x0010: ("Internal serial number", SERIAL)},
    "Panasonic": {0x0025: ("Internal serial number", SERIAL), 0x0052: ("Lens serial number", SERIAL),
                  0x0054: ("Accessory serial number", SERIAL)},
    "Pentax": {0x0229: ("Serial number", SERIAL)},
}  # fmt: skip

# FLIR FFF CameraInfo record: offset -> (length, display name, rule).
FLIR_CAMERA_FIELDS: dict[int, tuple[int, str, Rule]] = {
    0xD4: (32, "Camera model", MAKE_MODEL), 0xF4: (16, "Camera part number", SERIAL),
    0x104: (16, "Camera serial number", SERIAL), 0x114: (16, "Camera software", SOFTWARE),
    0x170: (32, "Lens model", LENS), 0x190: (16, "Lens part number", LENS),
    0x1A0: (16, "Lens serial number", SERIAL), 0x1EC: (16, "Filter model", LENS),
    0x1FC: (32, "Filter part number", LENS), 0x21C: (32, "Filter serial number", SERIAL),
}  # fmt: skip
# FLIR FFF record types that hold a picture (raw thermal, embedded visible-light, paint overlay).
FLIR_IMAGE_RECORDS = {0x01: "raw thermal image", 0x0E: "embedded visible-light image", 0x28: "paint overlay"}
# fmt: on
