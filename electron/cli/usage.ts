// The usage text of `lintel`: every command, its options and defaults.

export const USAGE = `Usage: lintel <command> [options]

Commands:
  detect <image> [--out annotated.png]    faces, landmarks, quality and stage times as JSON
  compare <imageA> <imageB>               similarity of the largest face of each, and the verdict at the 1:1
                                          verification threshold; beside it the door's 1:N threshold, which
                                          follows the gallery size (the terminal's with --data)
  eval lfw --images <dir> --pairs <file> [--out <dir>]
                                          LFW verification accuracy, TAR@FAR, ROC curve
           [--quant int8 [--quant-models detector,fitter,extractor] [--calib <dir>]]
                                          the same, FP32 beside simulated NPU INT8 (default: all three models;
                                          calibration set from calib export, default out/calib)
  eval ident --images <dir> [--non-mated <dir>]… [--distractors <dir>]… [--enroll 1|3|5] [--multi max|mean]
           [--gallery-sizes 100,1000,10000] [--extractor a[:w]+b[:w]] [--errata <csv>] [--out <dir>] [--cache <dir>]
           [--write-curve | --write-mean-exponent] [--young-child-rule] [--half 1|2] [--manifest <file>]
                                          open-set 1:N identification: FNIR at FPIR per gallery size (modelled
                                          beyond the data), rank-1, demographic FPIR, DET plot (default out/ident;
                                          embeddings cached in out/cache; --errata leaves out images that show someone
                                          else, e.g. electron/vision/eval/errata/dev-protocol.csv; --write-curve stores
                                          the curve in the manifest; --young-child-rule adds the door's figures, where
                                          an enrolled young child (defaults.age estimates, cached too) needs a card,
                                          and --write-curve then stores the door's curve; with --enroll 3 --multi mean,
                                          --write-mean-exponent stores how mean templates compare; --half keeps every
                                          other enrollable person, to fit on one half and measure on the other)
  eval pad --frames <dir> --clips <clips.csv> [--split devel] [--checks passive|a,b,…]… [--frame-rule mean|median|min|max]
           [--threshold x] [--criterion apcer5|bpcer5|eer] [--out <dir>] [--cache <dir>] [--data <dir>]
                                          presentation attacks (ISO/IEC 30107-3): APCER per attack species, worst,
                                          BPCER, BPCER20, EER, face-detection rate, DET plot; thresholds chosen on
                                          train (devel when reporting another split); frames cached (default out/pad-<split>);
                                          --checks linear:<file> scores a cue lintel pad train wrote; a,b,c: the first
                                          scores, the others only veto (b=0.8: at a given threshold, as the door runs it)
  eval age --images <dir>… [--model faceapi-age] [--out <dir>]
                                          the age estimator per labelled age band (labels.csv age column) and the
                                          unlabelled faces it puts under the young-child cut-off (default out/age)
  calib export --images <dir> [--out <dir>] [--count <n>] [--exclude-pairs <pairs.txt>]
                                          INT8 calibration set from a folder of photos: detector, fitter and
                                          extractor inputs with RKNN dataset.txt files (default out/calib, 200
                                          faces; --exclude-pairs leaves out LFW people that pairs file names)
  bench                                   per-stage timings on real frames (same as npm run bench)
  doctor [--rknn-lib <path>] [--precision auto|int8|fp16[,<model>=int8|fp16]] [--frames 20] [--runs 60]
                                          NPU runtime, model builds, cameras, GPIO, the terminal's configured
                                          camera and door relays (from --data's settings), stage times against the
                                          budget (median of --runs timed runs after 3 warm-up runs)
  doctor --wiegand-loopback --chip <dev> --d0 <n> --d1 <n> --d0-in <n> --d1-in <n> [--in-chip <dev>]
         [--pulse-level low|high] [--pulse-us 50] [--interval-us 2000] [--format <name>] [--frames 20]
                                          with D0/D1 wired to two inputs: send frames, read them back from the
                                          kernel's edge timestamps, print pulse width, interval and jitter
  doctor --card-reader [--chip <dev> --d0 <n> --d1 <n>] [--bias pull-up|pull-down|disabled|as-is] [--format <name>]
         [--data <dir>] [--seconds 30] [--cards <n>]
                                          listen to the Wiegand reader on the inputs (the flags', else the one
                                          saved in --data's door.inputs): each card's format, facility, number and
                                          holder, or why it is unreadable; hints for no signal, a missing data
                                          line, an unknown length, D0/D1 swapped; exit 0 once a card read cleanly

On the terminal's data (--data <dir>, or LINTEL_DATA_DIR, or the app-data folder):
  serve [--camera <uri>] [--host <addr>] [--port <n>] [--rknn-lib <path> [--precision auto|int8|fp16[,<model>=int8|fp16]]]
        [--tls-cert <pem> --tls-key <pem>] [--public-origin <url>] [--hub <bundle.json>]
                                          the whole terminal headless: UI and API on 127.0.0.1:7300 (default),
                                          camera from the settings, --camera, LINTEL_CAMERA or the demo photos;
                                          HTTPS with a certificate and key; behind a TLS proxy, the address
                                          browsers use (or LINTEL_PUBLIC_ORIGIN); --hub joins the site hub of
                                          the bundle lintel hub enroll-terminal wrote (people come from the hub)
  admin add --username <name> (--pin <digits> | --password-stdin)
                                          create an administrator (the first one can also be made at the kiosk)
  admin unlock <name>                     end the waits wrong PINs put on an administrator, from everywhere
  pair [--minutes <n>]                    a pairing address for a browser: works once, within n minutes (10)
  enroll --name <name> [--id <external id>] [--group <g>]… <photo>…
                                          enroll one person from photos (refused if they match someone enrolled)
  import <folder | file.csv>              bulk import (Name/*.jpg, or CSV id,name,photo) with a result per file;
                                          exit 1 when any file failed
  identify <photo>                        who the largest face is, with the similarity, or unknown with the
                                          closest enrolled person and their score; the gallery counted in people
  persons [--search <text>] [--json]      the enrolled persons
  events [--since <date>] [--decision granted|denied] [--card <number>] [--limit <n>] [--json]
                                          the access log, newest first
  models list [--json]                    every model of the manifest: built in, added or not added, licences
  models add <file> [--role extractor|liveness]
                                          add a model no registry ships (EdgeFace, MiniFASNet): checked against
                                          the manifest's sha256, converted, kept in <data>/models and recorded
  models remove <id>                      remove an added model
  pad record --camera <uri> --frames <dir> --label bona-fide|attack [--species <s> --support fixed|hand] [--person <p>]
             [--split site] [--clip <name>] [--light <name>] [--clips <csv>] [--count 5] [--span-ms 3200]
                                          one clip for pad train from the camera: 5 frames over 3.2 s into
                                          <frames>/<split>/<clip>/, its row appended to clips.csv
  pad train --frames <dir> --clips <clips.csv> [--split train[,…]] [--features a,b,…] [--l2 1] [--out pad-cue.json]
            [--max-bpcer 0.05 | --max-apcer <rate>]
                                          train the passive cue on the site's own recordings (<split>/<clip>/frame_*.jpg;
                                          clips.csv split,clip,label,support,species,light[,person]): threshold on
                                          out-of-fold scores (folds by person) for BPCER ≤ 5 % (or the rate asked:
                                          genuine refused, or attacks of any species let through), figures printed,
                                          with what to expect on people the recordings do not show
  pad install <file>                      check a trained cue (its numbers, features, models added) and install it:
                                          the door refuses faces below its threshold (cue "trained")
  pad remove                              remove the installed cue

The site hub (many doors, one PostgreSQL, MQTT through Mosquitto; see lintel hub help):
  hub init|serve|enroll-terminal|revoke-terminal|home-assistant|revoke-home-assistant|broker-config

Common options:
  --manifest <file>     model manifest (default: the one shipped with Lintel)
  --extractor <id>      extractor model id from the manifest (default: the manifest's default)
  --data <dir>          also use the models added to this terminal data folder (default: LINTEL_DATA_DIR if set)
  --threads <n>         intra-op threads per model (default 1)
  --passes <n>          face-mesh passes per face (default 1)
  --no-mirror           do not average each template with its mirror image's
`;
