#!/bin/sh
# Hostile manifests: with --output-dir every path a manifest line writes
# stays under it (absolute paths and .. refused with the line number unless
# --allow-any-path), and a manifest naming one output twice (in any
# spelling) or an output that another job reads is refused before anything
# runs. CSV and JSON Lines.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"
$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*220*(t-0.0042*cos(6*PI*t)))*lt(mod(t\\,2)\\,1):s=48000:d=1" d.wav
$FF -f lavfi -i "anoisesrc=d=1:c=pink:a=0.1:r=48000:s=5" -ac 2 m.wav
mkdir -p out sub

tried=0
# refused LINE KEY VALUE: a CSV and a JSON Lines manifest whose LINE-th line
# (the header is line 1 in CSV) writes KEY = VALUE; both refused, naming
# the line, and nothing written anywhere.
refused() {
    key=$1; val=$2
    tried=$((tried + 1))
    printf 'dialogue,music,output,%s\nd.wav,m.wav,ok.wav,\nd.wav,m.wav,ok2.wav,"%s"\n' \
        "$key" "$val" > h.csv
    [ "$key" = output ] &&
        printf 'dialogue,music,output\nd.wav,m.wav,ok.wav\nd.wav,m.wav,"%s"\n' "$val" > h.csv
    out2='"output": "ok2.wav", '
    [ "$key" = output ] && out2=
    printf '{"dialogue": "d.wav", "music": "m.wav", "output": "ok.wav"}\n{"dialogue": "d.wav", "music": "m.wav", %s"%s": "%s"}\n' \
        "$out2" "$key" "$val" > h.jsonl
    for f in h.csv h.jsonl; do
        line=3; [ $f = h.jsonl ] && line=2
        "$DD" batch $f --output-dir out -j 1 2> err.txt
        rc=$?
        if [ $rc -eq 1 ] && grep -q "line $line" err.txt &&
           grep -q -- "--allow-any-path" err.txt && [ -z "$(ls out)" ]; then
            ok
        else
            fail "$f: $key '$val': exit $rc, $(cat err.txt), out: $(ls out)"
        fi
        rm -rf out/* out/.[!.]* 2> /dev/null
    done
}
for key in output report music-out keyframes plot; do
    refused $key "$TMP/evil.wav"
    refused $key "../evil.wav"
    refused $key "sub/../../evil.wav"
    refused $key ".."
    refused $key "a/../../../../../tmp/evil.wav"
done
# a one-letter column would become -o (or -d ...): refused, whatever the value
for key in o d m e i; do
    tried=$((tried + 1))
    printf 'dialogue,music,output,%s\nd.wav,m.wav,ok.wav,%s/evil.wav\n' "$key" "$TMP" > s.csv
    "$DD" batch s.csv --output-dir out -j 1 2> err.txt
    rc=$?
    [ $rc -eq 1 ] && grep -q "line 2: key '$key'" err.txt && [ -z "$(ls out)" ] &&
        ok || fail "column '$key': exit $rc, $(cat err.txt)"
done
# a value that reads as an option (a stem '--plot', an output '-o') is
# refused with its line; negative numbers stay values
for cell in 'music=--plot' 'dialogue=-o' 'attack=--report'; do
    tried=$((tried + 1))
    key=${cell%%=*} val=${cell#*=}
    printf 'dialogue,music,output,depth\nd.wav,m.wav,ok.wav,-12\n' > o.csv
    case $key in
    music)    printf 'd.wav,%s,ok2.wav,-12\n' "$val" >> o.csv ;;
    dialogue) printf '%s,m.wav,ok2.wav,-12\n' "$val" >> o.csv ;;
    *)        printf 'dialogue,music,output,%s\nd.wav,m.wav,ok.wav,0.2\nd.wav,m.wav,ok2.wav,%s\n' "$key" "$val" > o.csv ;;
    esac
    "$DD" batch o.csv --output-dir out -j 1 2> err.txt
    rc=$?
    [ $rc -eq 1 ] && grep -q "line 3: $key '$val' reads as an option" err.txt &&
        [ -z "$(ls out)" ] && ok || fail "$key '$val': exit $rc, $(cat err.txt)"
    rm -rf out/* 2> /dev/null
done
[ -e evil.wav ] || [ -e /tmp/evil.wav ] || [ -e "$TMP/evil.wav" ] &&
    fail "a refused manifest wrote evil.wav"

# allowed: names that only look like going up, and everything with
# --allow-any-path
printf 'dialogue,music,output\nd.wav,m.wav,..a.wav\nd.wav,m.wav,b..wav\nd.wav,m.wav,sub/./c.wav\n' > fine.csv
"$DD" batch fine.csv --output-dir out -j 2 2> err.txt &&
    [ -f out/..a.wav ] && [ -f out/b..wav ] && [ -f out/sub/c.wav ] && ok ||
    fail "names with dots inside --output-dir refused: $(cat err.txt)"
printf 'dialogue,music,output\nd.wav,m.wav,%s/any.wav\nd.wav,m.wav,../up.wav\n' "$TMP" > any.csv
"$DD" batch any.csv --output-dir out --allow-any-path -j 2 2> err.txt &&
    [ -f any.wav ] && [ -f up.wav ] && ok ||
    fail "--allow-any-path refused: $(cat err.txt)"
tried=$((tried + 5))

# clashes: one file written twice in two spellings, or written by one job
# and read by another; refused before any job runs
clash() { # DESCRIPTION MANIFEST-TEXT EXPECTED-MESSAGE
    tried=$((tried + 1))
    rm -rf c && mkdir c
    printf "$2" > c/m.csv
    (cd c && cp ../d.wav ../m.wav . && "$DD" batch m.csv -j 1 2> ../err.txt)
    rc=$?
    if [ $rc -eq 1 ] && grep -q "$3" err.txt &&
       [ -z "$(ls c | grep -v -e '^m.csv$' -e '^d.wav$' -e '^m.wav$')" ]; then
        ok
    else
        fail "$1: exit $rc, $(cat err.txt), left: $(ls c)"
    fi
}
clash "same output" 'dialogue,music,output\nd.wav,m.wav,a.wav\nd.wav,m.wav,a.wav\n' 'lines 2 and 3 write the same file'
clash "./ spelling" 'dialogue,music,output\nd.wav,m.wav,a.wav\nd.wav,m.wav,./a.wav\n' 'lines 2 and 3 write the same file'
clash "x/.. spelling" 'dialogue,music,output\nd.wav,m.wav,x/../a.wav\nd.wav,m.wav,a.wav\n' 'write the same file'
clash "// spelling" 'dialogue,music,output\nd.wav,m.wav,.//a.wav\nd.wav,m.wav,a.wav\n' 'write the same file'
clash "report on an output" 'dialogue,music,output,report\nd.wav,m.wav,a.wav,\nd.wav,m.wav,b.wav,a.wav\n' 'write the same file'
clash "keyframes on another output" 'dialogue,music,output,keyframes\nd.wav,m.wav,a.wav,\nd.wav,m.wav,b.wav,a.wav\n' 'write the same file'
clash "output is another job's input" 'dialogue,music,output\nd.wav,m.wav,mix.wav\nmix.wav,m.wav,b.wav\n' 'line 2 writes .*mix.wav, which line 3 reads'
clash "output is its own input" 'dialogue,music,output\nd.wav,m.wav,./d.wav\n' 'line 2 writes .*d.wav, which line 2 reads'
clash "music-out is an input" 'dialogue,music,output,music-out\nd.wav,m.wav,a.wav,\nd.wav,m.wav,b.wav,m.wav\n' 'which line [23] reads'
echo "hostile manifest values: $tried tried"

summary
