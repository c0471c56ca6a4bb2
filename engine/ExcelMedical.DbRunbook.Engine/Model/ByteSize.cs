using System.Globalization;

namespace ExcelMedical.DbRunbook.Engine.Model;

/// <summary>Sizes as operators read them: 1.5 KiB, 812.3 MiB.</summary>
public static class ByteSize
{
    public static string Format(double size)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        var unit = 0;
        while (Math.Abs(size) >= 1024 && unit < units.Length - 1)
        {
            size /= 1024;
            unit++;
        }

        return unit == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{size:0} {units[unit]}")
            : string.Create(CultureInfo.InvariantCulture, $"{size:0.0} {units[unit]}");
    }
}
