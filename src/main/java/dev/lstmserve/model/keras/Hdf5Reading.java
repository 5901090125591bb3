package dev.lstmserve.model.keras;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import dev.lstmserve.model.ModelLoadException;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import io.jhdf.exceptions.HdfInvalidPathException;
import io.jhdf.object.datatype.FloatingPoint;
import io.jhdf.object.datatype.StringData;
import io.jhdf.object.datatype.VariableLength;
import io.jhdf.object.message.DataLayout;

/**
 * Reads Keras' attributes and weight datasets from an open HDF5 file (jhdf), never trusting a declared size: a
 * dataset's element count is checked against Java's array limit and against the file's size before anything is
 * allocated, so a small hostile file cannot make the service allocate gigabytes.
 */
final class Hdf5Reading {

    /** Largest Java array. */
    static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;
    /**
     * A chunked dataset may be compressed, so it may declare more bytes than the file has; deflate cannot exceed
     * ~1032:1, so 1024× the file size bounds it. Keras itself never compresses weights.
     */
    static final long CHUNKED_EXPANSION = 1024;

    private final String source;
    private final long fileSize;

    Hdf5Reading(String source, long fileSize) {
        this.source = source;
        this.fileSize = fileSize;
    }

    /** The file, as named in refusals. */
    String source() {
        return source;
    }

    /**
     * A string attribute: scalar or a one-element array, fixed- or variable-length, bytes or str as h5py writes them.
     *
     * @return {@code null} when absent
     */
    String string(Node node, String name) {
        Attribute attribute = node.getAttribute(name);
        if (attribute == null) {
            return null;
        }
        Object data = checkedData(attribute, node);
        if (data instanceof String s) {
            return s;
        }
        if (data instanceof String[] array && array.length == 1) {
            return array[0];
        }
        throw new ModelLoadException(source, "attribute '" + name + "' of " + where(node) + " is not a string but "
                + describe(attribute));
    }

    /**
     * A list-of-names attribute ({@code layer_names}, {@code weight_names}) as Keras reads it
     * ({@code legacy_h5_format.py} {@code load_attributes_from_hdf5_group}): the attribute itself, or when it was too
     * large for an object header, its chunks {@code name0}, {@code name1}, ... in order. Absent, or Keras' empty
     * float64 array for a layer without weights: an empty list.
     */
    List<String> strings(Node node, String name) {
        if (node.getAttribute(name) != null) {
            return stringList(node, name);
        }
        List<String> all = new ArrayList<>();
        for (int chunk = 0; node.getAttribute(name + chunk) != null; chunk++) {
            all.addAll(stringList(node, name + chunk));
        }
        return all;
    }

    private List<String> stringList(Node node, String name) {
        Attribute attribute = node.getAttribute(name);
        if (attribute.isEmpty() || attribute.getSize() == 0) {
            return List.of();
        }
        Object data = checkedData(attribute, node);
        if (data instanceof String s) {
            return List.of(s);
        }
        if (data instanceof String[] array) {
            return List.of(array);
        }
        throw new ModelLoadException(source, "attribute '" + name + "' of " + where(node)
                + " is not a list of names but " + describe(attribute));
    }

    private Object checkedData(Attribute attribute, Node node) {
        long bytes = attribute.getSize() * Math.max(1, attribute.getDataType().getSize());
        if (bytes > fileSize && !(attribute.getDataType() instanceof VariableLength)) {
            throw new ModelLoadException(source, "attribute '" + attribute.getName() + "' of " + where(node)
                    + " declares " + bytes + " bytes, more than the whole file (" + fileSize + " bytes): corrupt file");
        }
        return attribute.getData();
    }

    /** The group at {@code path} below {@code parent}, or {@code null}. */
    static Group group(Group parent, String path) {
        Node node = node(parent, path);
        return node instanceof Group g ? g : null;
    }

    /** The node at {@code path} below {@code parent}, or {@code null}. */
    static Node node(Group parent, String path) {
        try {
            return parent.getByPath(path);
        } catch (HdfInvalidPathException e) {
            return null;
        }
    }

    /**
     * Reads one weight dataset.
     *
     * @param layerGroup the group its name is relative to
     * @param path       the dataset's path below {@code layerGroup}
     * @param name       the weight's name as reported ({@code weight_names} entry or full path)
     * @param layer      the layer, for refusals ({@code 'lstm_1' (LSTM)})
     */
    KerasWeight weight(Group layerGroup, String path, String name, String layer) {
        Node node = node(layerGroup, path);
        if (!(node instanceof Dataset dataset)) {
            throw new ModelLoadException(source, "layer " + layer + ": weight '" + name + "' is "
                    + (node == null ? "missing from the file" : "not a dataset"));
        }
        if (!(dataset.getDataType() instanceof FloatingPoint) || dataset.isCompound() || dataset.isVariableLength()
                || (dataset.getDataType().getSize() != 4 && dataset.getDataType().getSize() != 8)) {
            throw new ModelLoadException(source, "layer " + layer + ": weight '" + name + "' has dtype "
                    + dtype(dataset) + "; only float32 and float64 weights can be served");
        }
        int[] shape = dataset.isScalar() ? new int[0] : dataset.getDimensions();
        long elements = 1;
        for (long d : dataset.isScalar() ? new long[0] : dataset.getDimensionsAsLong()) {
            if (d < 0) {
                throw new ModelLoadException(source, "layer " + layer + ": weight '" + name + "' has a negative dimension");
            }
            elements = Math.multiplyHigh(elements, d) != 0 ? Long.MAX_VALUE : elements * d;
        }
        long bytes = elements >= Long.MAX_VALUE / 8 ? Long.MAX_VALUE : elements * dataset.getDataType().getSize();
        long limit = dataset.getDataLayout() == DataLayout.CHUNKED ? fileSize * CHUNKED_EXPANSION : fileSize;
        if (elements > MAX_ELEMENTS || bytes > limit) {
            throw new ModelLoadException(source, "layer " + layer + ": weight '" + name + "' declares shape "
                    + Arrays.toString(dataset.getDimensionsAsLong()) + " (" + bytes + " bytes), more than the file ("
                    + fileSize + " bytes) can hold: corrupt or hostile file");
        }
        if (elements == 0) {
            return new KerasWeight(name, shape, new float[0]);
        }
        Object flat = dataset.getDataFlat();
        float[] data;
        if (flat instanceof float[] f) {
            data = f;
        } else if (flat instanceof double[] d) {
            data = new float[d.length];
            for (int i = 0; i < d.length; i++) {
                data[i] = (float) d[i];
            }
        } else if (flat instanceof Float f) {
            data = new float[] {f};
        } else if (flat instanceof Double d) {
            data = new float[] {d.floatValue()};
        } else {
            throw new ModelLoadException(source, "layer " + layer + ": weight '" + name + "' could not be read as"
                    + " numbers (" + dtype(dataset) + ")");
        }
        if (data.length != elements) {
            throw new ModelLoadException(source, "layer " + layer + ": weight '" + name + "' has " + data.length
                    + " values for shape " + Arrays.toString(shape));
        }
        return new KerasWeight(name, shape, data);
    }

    private static String dtype(Dataset dataset) {
        var type = dataset.getDataType();
        if (type instanceof FloatingPoint) {
            return "float" + type.getSize() * 8;
        }
        if (type instanceof StringData || type instanceof VariableLength) {
            return "string";
        }
        String kind = type.getClass().getSimpleName();
        return switch (kind) {
            case "FixedPoint" -> "int" + type.getSize() * 8;
            case "BitField" -> "bool";
            case "CompoundDataType" -> "compound";
            case "OpaqueDataType" -> "opaque (e.g. bfloat16)";
            default -> kind + " of " + type.getSize() + " bytes";
        };
    }

    private static String describe(Attribute attribute) {
        return attribute.getDataType().getClass().getSimpleName() + " " + Arrays.toString(attribute.getDimensions());
    }

    private static String where(Node node) {
        String path = node.getPath();
        return path == null || path.isEmpty() || path.equals("/") ? "the root group" : "'" + path + "'";
    }
}
